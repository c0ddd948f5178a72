// Loaded as an ES module (<script type="module">): GOV.UK Frontend 6 ships its browser bundle as a module,
// and module scripts only run in the browsers GOV.UK Frontend supports.
import { initAll } from "./govuk-frontend.min.js";

// A component that is already set up raises InitError when a later scan finds it again: expected, so quiet.
function reportError(error) {
  if (error && error.name === "InitError") {
    return;
  }
  console.error(error);
}

initAll({ onError: reportError });

// htmx fires htmx:load on every element it adds (after a swap, and once for the body at start).
// Scan the element's parent so that an element which is itself a component (data-module on the swapped
// root, as with an outerHTML swap) is found too.
document.addEventListener("htmx:load", (event) => {
  const element = event.detail && event.detail.elt;
  if (!element || element === document.body || !element.parentElement) {
    return;
  }
  initAll({ scope: element.parentElement, onError: reportError });
});
