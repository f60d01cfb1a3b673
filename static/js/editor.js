/*
 * The writing page's editor: autosave through htmx, the writing-process figures, and nothing lost.
 *
 * - The form (templates/coursework/student/write.html) has hx-post=".../autosave" with
 *   hx-trigger="autosave"; this script decides when to fire that event (every few seconds while
 *   typing, on blur, when the tab is hidden, on "Save now") and fills in the request.
 * - Every request carries the revision the text was based on. The server answers 200 with the new
 *   revision in the X-Revision-Number header, or 409 when another window or tab saved first.
 * - A failed save (network, timeout, 5xx, signed out) is retried with backoff, resending exactly the
 *   same text and base: if the first attempt did reach the server, the retry is recognised there as
 *   the same save, not a conflict (coursework.actions.check_save_draft).
 * - Until the server confirms the text, it is kept in localStorage; on the next visit it is put back
 *   (same base) or offered for copying beside the latest saved version (a conflict).
 * - Figures since the last confirmed save: active seconds (time between inputs under 5 s), typed
 *   characters (input events that insert, not pastes), pasted characters and each paste's size.
 */
(function () {
  "use strict";

  var form = document.getElementById("editor-form");
  if (!form || !window.htmx) return;

  var SAVE_EVERY_MS = 3000;
  var IDLE_MS = 5000;
  var FIRST_RETRY_MS = 2000;
  var MAX_RETRY_MS = 30000;
  var MAX_PASTES = 50;

  var textarea = form.querySelector("textarea[name=text]");
  var baseInput = form.querySelector("input[name=base_revision]");
  var statusEl = document.getElementById("save-status");
  var announceEl = document.getElementById("save-announce");
  var wordCountEl = form.querySelector("[data-word-count]");
  var wordAdviceEl = form.querySelector("[data-word-advice]");
  var storageKey = "scribetree:draft:" + form.dataset.submission;
  var minWords = parseInt(form.dataset.minWords, 10) || null;
  var maxWords = parseInt(form.dataset.maxWords, 10) || null;

  var state = {
    saved: textarea.value, // the text the server has confirmed
    base: parseInt(baseInput.value, 10) || 0,
    pending: null, // the save in flight: {text, base, active_seconds, typed_chars, pasted_chars, paste_sizes}
    pendingSince: 0,
    failed: null, // the save to send again
    failures: 0,
    retryAt: 0,
    timer: null,
    retryTimer: null,
    conflicted: form.dataset.conflict === "true",
    leaving: false,
    submitWhenSaved: null,
  };
  var figures = { activeMs: 0, typed: 0, pasted: 0, pasteSizes: [] };
  var lastInputAt = 0;

  // --- Storage on this device --------------------------------------------------------------------

  function readStash() {
    try {
      return JSON.parse(window.localStorage.getItem(storageKey) || "null");
    } catch (e) {
      return null;
    }
  }

  function stash() {
    try {
      window.localStorage.setItem(storageKey, JSON.stringify({
        text: textarea.value, base: state.base, conflict: state.conflicted, at: Date.now(),
      }));
    } catch (e) { /* storage full or disabled: the server copy and the editor remain */ }
  }

  function clearStashIf(text) {
    var stashed = readStash();
    if (stashed && stashed.text === text) {
      try { window.localStorage.removeItem(storageKey); } catch (e) { /* ignore */ }
    }
  }

  // --- Status --------------------------------------------------------------------------------------

  function announce(message) {
    if (announceEl.textContent !== message) announceEl.textContent = message;
  }

  function showRetrying(signedOut) {
    statusEl.textContent = "";
    var line = document.createElement("p");
    line.className = "save-retry";
    line.setAttribute("data-not-saved", "");
    line.textContent = "Not saved yet — retrying… Your text is kept on this device.";
    statusEl.appendChild(line);
    if (signedOut) {
      var hint = document.createElement("p");
      hint.append("You may have been signed out. ");
      var link = document.createElement("a");
      link.href = "/accounts/login/";
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = "Sign in again in a new tab";
      hint.append(link, "; saving carries on here afterwards.");
      statusEl.appendChild(hint);
    }
    announce("Not saved yet — retrying.");
  }

  function countWords(text) {
    var words = text.match(/\S+/g);
    return words ? words.length : 0;
  }

  function updateWordCount() {
    var count = countWords(textarea.value);
    wordCountEl.textContent = count.toLocaleString();
    var advice = "";
    if (minWords && count < minWords) advice = " — below the minimum of " + minWords.toLocaleString();
    else if (maxWords && count > maxWords) advice = " — over the maximum of " + maxWords.toLocaleString();
    wordAdviceEl.textContent = advice;
    wordAdviceEl.className = advice ? (count < (minWords || 0) ? "under" : "over") : "";
  }

  // --- Saving ----------------------------------------------------------------------------------------

  function dirty() {
    return textarea.value !== state.saved;
  }

  function schedule(ms) {
    if (state.timer || state.conflicted) return;
    state.timer = window.setTimeout(function () {
      state.timer = null;
      save();
    }, ms);
  }

  function saveNow() {
    window.clearTimeout(state.timer);
    state.timer = null;
    save(true);
  }

  function snapshot() {
    var seconds = Math.floor(figures.activeMs / 1000);
    return {
      text: textarea.value, base: state.base, active_seconds: seconds, typed_chars: figures.typed,
      pasted_chars: figures.pasted, paste_sizes: figures.pasteSizes.slice(0, MAX_PASTES),
    };
  }

  function save(force) {
    if (state.conflicted) return;
    if (state.failed && !force && Date.now() < state.retryAt) return; // backing off: the retry timer will call
    if (state.pending) {
      // A request that never came back (no afterRequest): give up on it and retry.
      if (Date.now() - state.pendingSince < 25000) return;
      failed(state.pending, false);
      return;
    }
    if (!state.failed && !dirty()) return;
    window.clearTimeout(state.retryTimer);
    state.pending = state.failed || snapshot();
    state.pendingSince = Date.now();
    htmx.trigger(form, "autosave");
  }

  function saved(sent, revision) {
    state.base = revision;
    baseInput.value = String(revision);
    state.saved = sent.text;
    state.failed = null;
    state.failures = 0;
    figures.activeMs = Math.max(0, figures.activeMs - sent.active_seconds * 1000);
    figures.typed = Math.max(0, figures.typed - sent.typed_chars);
    figures.pasted = Math.max(0, figures.pasted - sent.pasted_chars);
    figures.pasteSizes.splice(0, sent.paste_sizes.length);
    if (dirty()) {
      stash();
      schedule(SAVE_EVERY_MS);
    } else {
      clearStashIf(sent.text);
    }
    announce("All changes saved.");
  }

  function failed(sent, signedOut) {
    state.pending = null;
    state.failed = sent;
    state.failures += 1;
    stash();
    showRetrying(signedOut);
    var delay = Math.min(FIRST_RETRY_MS * Math.pow(2, state.failures - 1), MAX_RETRY_MS);
    state.retryAt = Date.now() + delay;
    window.clearTimeout(state.retryTimer);
    state.retryTimer = window.setTimeout(function () { save(true); }, delay);
  }

  function conflicted() {
    state.conflicted = true;
    state.failed = null;
    window.clearTimeout(state.timer);
    window.clearTimeout(state.retryTimer);
    stash(); // marked as a conflict: the next visit offers it beside the latest version
  }

  function csrfCookie() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }

  form.addEventListener("htmx:configRequest", function (event) {
    var sent = state.pending;
    if (event.detail.elt !== form || !sent) return;
    var params = event.detail.parameters;
    params.text = sent.text;
    params.base_revision = String(sent.base);
    params.active_seconds = String(sent.active_seconds);
    params.typed_chars = String(sent.typed_chars);
    params.pasted_chars = String(sent.pasted_chars);
    params.paste_sizes = sent.paste_sizes.join(",");
    delete params.reflection;
    // Signing in again (in another tab) rotates the CSRF token: use the cookie's current one.
    var token = csrfCookie();
    if (token) {
      delete params.csrfmiddlewaretoken;
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  form.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status === 409 || xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else if (!xhr.getResponseHeader("X-Revision-Number")) {
      event.detail.shouldSwap = false; // e.g. the sign-in page after a redirect: not ours to show
    }
  });

  form.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt !== form || !state.pending) return;
    var sent = state.pending;
    var xhr = event.detail.xhr;
    var revision = xhr.getResponseHeader("X-Revision-Number");
    state.pending = null;
    if (xhr.status === 200 && revision !== null) {
      saved(sent, parseInt(revision, 10));
    } else if (xhr.status === 409) {
      conflicted();
    } else if (xhr.status === 400) {
      // The text itself was refused (too long): retrying the same text cannot help; the next edit tries again.
      state.failed = null;
      stash();
    } else {
      failed(sent, xhr.status === 200 || xhr.status === 403);
    }
    var submitter = state.submitWhenSaved;
    state.submitWhenSaved = null;
    if (submitter && xhr.status === 200 && revision !== null) {
      if (submitter === true) form.requestSubmit(); else form.requestSubmit(submitter);
    }
  });

  // --- Counting the writing process ---------------------------------------------------------------

  textarea.addEventListener("input", function (event) {
    var now = Date.now();
    figures.activeMs += now - lastInputAt < IDLE_MS ? now - lastInputAt : 1000;
    lastInputAt = now;
    var kind = event.inputType || "";
    if (kind.indexOf("insert") === 0 && kind.indexOf("insertFromPaste") !== 0 && kind !== "insertFromDrop"
        && !event.isComposing) {
      figures.typed += event.data ? event.data.length : 1;
    }
    stash();
    updateWordCount();
    schedule(SAVE_EVERY_MS);
  });

  textarea.addEventListener("compositionend", function (event) {
    figures.typed += (event.data || "").length;
  });

  textarea.addEventListener("paste", function (event) {
    var size = event.clipboardData ? event.clipboardData.getData("text/plain").length : 0;
    if (!size) return;
    figures.pasted += size;
    if (figures.pasteSizes.length < MAX_PASTES) figures.pasteSizes.push(size);
  });

  textarea.addEventListener("blur", saveNow);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") saveNow();
  });
  window.addEventListener("online", function () {
    if (state.failed) save(true);
  });
  window.addEventListener("pagehide", function () {
    if (dirty() || state.pending || state.conflicted) stash();
  });
  window.addEventListener("beforeunload", function (event) {
    if (state.leaving || state.conflicted || !(dirty() || state.pending)) return;
    stash();
    event.preventDefault();
    event.returnValue = "";
  });

  // --- Buttons: save now, submit, copy -------------------------------------------------------------

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.hasAttribute("data-save-now")) {
      event.preventDefault();
      if (!dirty() && !state.failed && !state.pending) announce("All changes saved.");
      saveNow();
      return;
    }
    if (state.pending) {
      // Submit once the save in flight has come back, so its base revision is current.
      event.preventDefault();
      state.submitWhenSaved = submitter || true;
      announce("Saving before submitting…");
      return;
    }
    var token = csrfCookie();
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (token && field) field.value = token;
    baseInput.value = String(state.base);
    state.leaving = true;
    stash(); // until the next page confirms it (the same text from the same base is not a conflict)
  });

  function copy(text, button) {
    function done() {
      var label = button.textContent;
      button.textContent = "Copied";
      window.setTimeout(function () { button.textContent = label; }, 2000);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { selectFallback(text, button, done); });
    } else {
      selectFallback(text, button, done);
    }
  }

  function selectFallback(text, button, done) {
    var source = button.closest("#recovery") ? document.getElementById("recovery-text") : textarea;
    source.focus();
    source.select();
    try {
      if (document.execCommand("copy")) done();
    } catch (e) { /* the text stays selected for the student to copy */ }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-text]");
    if (button) copy(textarea.value, button);
    if (event.target.closest("[data-load-latest]")) state.leaving = true;
  });

  // --- Unsaved text from an earlier visit --------------------------------------------------------------

  function offerRecovery(stashed) {
    var panel = document.getElementById("recovery");
    var box = document.getElementById("recovery-text");
    box.value = stashed.text;
    panel.hidden = false;
    panel.querySelector("h2").focus();
    panel.querySelector("[data-recovery-use]").addEventListener("click", function () {
      textarea.value = stashed.text;
      panel.hidden = true;
      updateWordCount();
      textarea.focus();
      saveNow();
    });
    panel.querySelector("[data-recovery-copy]").addEventListener("click", function (event) {
      copy(stashed.text, event.currentTarget);
    });
    panel.querySelector("[data-recovery-discard]").addEventListener("click", function () {
      if (!window.confirm("Discard the unsaved text from this device? This cannot be undone.")) return;
      clearStashIf(stashed.text);
      panel.hidden = true;
      textarea.focus();
    });
  }

  function start() {
    updateWordCount();
    if (state.conflicted) {
      stash();
      return;
    }
    var stashed = readStash();
    if (!stashed || stashed.text === textarea.value) {
      if (stashed) clearStashIf(stashed.text);
      return;
    }
    if (stashed.base === state.base && !stashed.conflict) {
      // Written here after the latest save and never confirmed (closed tab, lost connection): put it back.
      textarea.value = stashed.text;
      updateWordCount();
      statusEl.textContent = "Restored text from this device that had not been saved. Saving it now…";
      announce("Restored unsaved text from this device.");
      saveNow();
    } else {
      offerRecovery(stashed);
    }
  }

  // htmx wires up hx-trigger on DOMContentLoaded (its listener was added first, so it runs first); a
  // save fired before that would never be sent. A deferred script runs just before that event.
  var started = false;
  function startOnce() {
    if (started) return;
    started = true;
    start();
  }
  if (document.readyState === "complete") {
    startOnce();
  } else {
    document.addEventListener("DOMContentLoaded", startOnce);
    window.addEventListener("load", startOnce);
  }
})();
