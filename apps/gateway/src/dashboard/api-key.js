// The API key the page sends when the gateway requires one (API_KEY_REQUIRED=true): asked for once,
// kept in this browser's localStorage, sent as `x-api-key` on REST and `?api_key=` on the WebSocket.
import { $ } from "./format.js";

const STORAGE = "tickerplant.apiKey";

export function apiKey() {
  try {
    return localStorage.getItem(STORAGE) ?? "";
  } catch {
    return ""; // storage disabled: the page works without a key
  }
}

/** Shows the key form in the header (once), saying why. */
export function askForKey(reason) {
  const form = $("key-form");
  if (!form) return;
  $("key-reason").textContent = reason;
  form.hidden = false;
}

export function initKeyForm() {
  const form = $("key-form");
  if (!form) return;
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const value = $("key-input").value.trim();
    try {
      if (value) localStorage.setItem(STORAGE, value);
      else localStorage.removeItem(STORAGE);
    } catch {
      // nothing to keep it in: this page load cannot use it either
    }
    location.reload();
  });
}
