// Keep shared timeline URLs short: leave empty filter fields out of the query.
document.addEventListener("htmx:configRequest", (event) => {
  if (event.detail.elt.id !== "filters") return;
  const parameters = event.detail.parameters;
  for (const [name, value] of Array.from(parameters.entries())) {
    if (value === "") delete parameters[name];
  }
});
