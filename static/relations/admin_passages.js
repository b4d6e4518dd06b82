// Proposed events: selecting part of a sentence makes that part the quote.
// Offsets are counted in code points, as Python counts them on the server.
"use strict";
(function () {
  function codePoints(text) { return Array.from(text).length; }

  function update(proposal, start, end) {
    const sentence = proposal.querySelector(".proposal-sentence");
    for (const form of proposal.querySelectorAll(".passage-form")) {
      form.elements.start.value = start;
      form.elements.end.value = end;
    }
    const quote = proposal.querySelector(".proposal-quote");
    const whole = start === Number(sentence.dataset.start) && end === Number(sentence.dataset.end);
    quote.hidden = whole;
    quote.querySelector("q").textContent = whole ? "" : window.getSelection().toString().trim();
  }

  document.addEventListener("selectionchange", function () {
    const selection = window.getSelection();
    if (!selection.rangeCount) return;
    const range = selection.getRangeAt(0);
    const sentence = range.startContainer.parentElement && range.startContainer.parentElement.closest(".proposal-sentence");
    if (!sentence || range.endContainer !== range.startContainer || range.collapsed) return;
    const text = range.startContainer.textContent;
    const base = Number(sentence.dataset.start);
    const start = base + codePoints(text.slice(0, range.startOffset));
    const end = base + codePoints(text.slice(0, range.endOffset));
    update(sentence.closest(".proposal"), start, end);
  });
})();
