// Teacher review page: a selection in the revision text becomes the passage of a new comment.
//
// The page shows the revision's exact characters (CRs included, see coursework/review.py), so the
// offsets are counted on the text of a DOM Range. Python indexes strings by code point and
// JavaScript by UTF-16 unit, so lengths are counted by code point. Without this script the
// teacher copies the passage into the form and the server finds it.
(function () {
  "use strict";

  function codePoints(text) {
    let count = 0;
    for (const _ of text) count += 1; // eslint-disable-line no-unused-vars
    return count;
  }

  function selectedPassage(container) {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) return null;
    const quote = range.toString();
    if (!quote.trim()) return null;
    const before = document.createRange();
    before.selectNodeContents(container);
    before.setEnd(range.startContainer, range.startOffset);
    const start = codePoints(before.toString());
    return { start: start, end: start + codePoints(quote), quote: quote };
  }

  function fillForm() {
    const container = document.getElementById("revision-text");
    const form = document.getElementById("comment-form");
    if (!container || !form) return;
    const passage = selectedPassage(container);
    if (!passage) return;
    form.elements.start.value = passage.start;
    form.elements.end.value = passage.end;
    form.elements.quote.value = passage.quote;
    const status = document.getElementById("selection-status");
    if (status) {
      const words = passage.quote.trim().split(/\s+/).length;
      status.textContent = "Selected " + words + " word" + (words === 1 ? "" : "s") + ". Write your comment below.";
    }
  }

  document.addEventListener("mouseup", function () { window.setTimeout(fillForm, 0); });
  document.addEventListener("touchend", function () { window.setTimeout(fillForm, 0); });
  document.addEventListener("keyup", function (event) {
    if (event.shiftKey || event.key === "Shift") fillForm();
  });

  // A passage typed or edited by hand no longer matches the offsets: let the server find it.
  document.addEventListener("input", function (event) {
    const form = event.target.form;
    if (form && form.id === "comment-form" && event.target.name === "quote") {
      form.elements.start.value = "";
      form.elements.end.value = "";
    }
  });

  // Clicking a highlighted passage brings its comment into view.
  document.addEventListener("click", function (event) {
    const mark = event.target.closest ? event.target.closest("mark.anchor") : null;
    if (!mark || !window.getSelection().isCollapsed) return;
    const first = document.getElementById("comment-" + mark.dataset.comments.split(" ")[0]);
    if (first) first.scrollIntoView({ block: "nearest", behavior: "smooth" });
  });
})();
