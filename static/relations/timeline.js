// Progressive enhancement of the timeline's filter form. Without JavaScript the
// form is a plain GET form and the server drops empty parameters by redirecting.

function filterQuery(form) {
  // The form's values as the server would put them in a URL, without empty fields.
  const query = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (value !== "") query.append(name, value);
  }
  return query;
}

// Keep shared timeline URLs short: leave empty filter fields out of the query.
document.addEventListener("htmx:configRequest", (event) => {
  if (event.detail.elt.id !== "filters") return;
  const parameters = event.detail.parameters;
  for (const [name, value] of Array.from(parameters.entries())) {
    if (value === "") delete parameters[name];
  }
});

// One history entry per change: ticking a box already applied it, so pressing
// "Apply filters" afterwards asks for the page that is showing; skip it.
document.addEventListener("htmx:confirm", (event) => {
  const form = event.detail.elt;
  if (form.id !== "filters") return;
  const current = new URLSearchParams(window.location.search);
  current.delete("page");
  if (filterQuery(form).toString() === current.toString()) event.preventDefault();
});

// The axis, the chips and the page links change the filters from inside the
// results: set the form's controls to the filters the new results show
// (#results carries them in data-query), except the one being typed in.
function syncForm() {
  const form = document.getElementById("filters");
  const results = document.getElementById("results");
  if (!form || !results || results.dataset.query === undefined) return;
  const query = new URLSearchParams(results.dataset.query);
  for (const control of form.elements) {
    if (!control.name || control === document.activeElement) continue;
    const values = query.getAll(control.name);
    if (control.type === "checkbox" || control.type === "radio") {
      control.checked = values.includes(control.value);
    } else if (control.tagName === "SELECT" || control.tagName === "INPUT") {
      control.value = values[0] ?? "";
    }
  }
  countSetFilters();
}

// The folded panel's summary says how many filters are set, so that it hides none.
function countSetFilters() {
  const form = document.getElementById("filters");
  const label = document.getElementById("active-filters");
  if (!form || !label) return;
  const query = filterQuery(form);
  let set = Array.from(query.keys()).filter((name) => name !== "order").length;
  // As the chips (EventFilter.chips): one year, or a month of it, is one filter.
  const yearFrom = query.get("year_from");
  if (yearFrom && yearFrom === query.get("year_to")) set -= query.has("month") ? 2 : 1;
  label.textContent = set ? `(${set} set)` : "";
}

for (const type of ["input", "change"]) {
  document.addEventListener(type, (event) => {
    if (event.target.form?.id === "filters") countSetFilters();
  });
}
// Each actor, source and status option says how many events choosing it would show:
// an htmx response carries the numbers in #option-counts, in the order of its
// options, which it names by a fingerprint (facets.Panel.swapped). Other options
// (the data changed since the page was loaded) would get the wrong numbers: the
// page is loaded again instead.
function writeOptionCounts(requestPath) {
  const form = document.getElementById("filters");
  const counts = document.getElementById("option-counts");
  if (!form || !counts || counts.dataset.options === undefined) return;
  if (counts.dataset.options !== form.dataset.options) {
    window.location.assign(requestPath);
    return;
  }
  for (const name of ["status", "actor", "source"]) {
    const select = form.elements[name];
    const numbers = (counts.dataset[name] ?? "").split(" ");
    const options = Array.from(select?.options ?? []).filter((option) => option.value !== "");
    if (options.length !== numbers.length) continue;
    options.forEach((option, index) => {
      option.text = option.text.replace(/\([\d,]+\)$/, `(${numbers[index]})`);
    });
  }
}

document.addEventListener("htmx:afterSettle", (event) => {
  if (event.detail.target?.id === "results" || event.detail.elt?.id === "results") {
    syncForm();
    writeOptionCounts(event.detail.pathInfo?.finalRequestPath ?? window.location.href);
  }
});
document.addEventListener("htmx:historyRestore", countSetFilters);
