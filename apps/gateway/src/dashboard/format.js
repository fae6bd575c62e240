// Number and time formatting, and small DOM helpers shared by the panels.
import { apiKey, askForKey } from "./api-key.js";

export const $ = (id) => document.getElementById(id);

export function fmt(n, digits) {
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  if (digits !== undefined) return n.toFixed(digits);
  const abs = Math.abs(n);
  return n.toLocaleString(undefined, { maximumFractionDigits: abs >= 100 ? 2 : abs >= 1 ? 4 : 8 });
}

export function fmtAge(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

export function fmtTime(ts) {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? "–" : d.toISOString().slice(11, 19);
}

export function cell(row, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  row.appendChild(td);
  return td;
}

export function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A label/value line for the small key-value panels. */
export function kv(parent, label, value, cls) {
  const row = el("div", { class: "kv-row" });
  row.appendChild(el("span", { class: "muted" }, label));
  const v = el("span", cls ? { class: cls } : {}, value);
  row.appendChild(v);
  parent.appendChild(row);
  return v;
}

/** REST bodies are `{"data": …}`; a route this gateway does not serve yet answers null. */
export async function getJson(path) {
  const key = apiKey();
  const res = await fetch(path, key ? { headers: { "x-api-key": key } } : {});
  if (res.status === 404) return null;
  const body = await res.json().catch(() => null);
  if (res.status === 401) askForKey(body?.error?.message ?? "this gateway requires an API key");
  if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status} for ${path}`);
  return body;
}

export const dataOf = (body) => (body && typeof body === "object" && "data" in body ? body.data : body);
