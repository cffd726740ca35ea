// Labels in zh-CN (default) and en: one JSON dictionary per language under /static/i18n/.
// Elements carry a data-i18n attribute naming their label; numbers and dates are formatted with Intl per locale.

export const LANGUAGES = ["zh-CN", "en"];
const dictionaries = {};
let current = "zh-CN";
const listeners = [];

export async function load(lang) {
  if (!dictionaries[lang]) {
    const response = await fetch(`/static/i18n/${lang}.json`);
    dictionaries[lang] = await response.json();
  }
  current = lang;
  document.documentElement.lang = lang;
  localStorage.setItem("citytwin.lang", lang);
  apply(document);
  for (const f of listeners) f(lang);
}

export const lang = () => current;
export const initial = () => {
  const saved = localStorage.getItem("citytwin.lang");
  return LANGUAGES.includes(saved) ? saved : "zh-CN";
};
export const onChange = (f) => listeners.push(f);

export const has = (key) => dictionaries[current]?.[key] !== undefined;

export function t(key, params = {}) {
  const text = dictionaries[current]?.[key];
  if (text === undefined) {
    console.warn(`missing label ${key} in ${current}`);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

export function apply(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll("[data-i18n-aria]")) el.setAttribute("aria-label", t(el.dataset.i18nAria));
}

// A name in the current language from an object with name_zh / name_en.
export const name = (o) => (current === "en" ? o?.name_en : o?.name_zh) || o?.name_en || o?.name_zh || "";
export const category = (o) => (current === "en" ? o?.category_en : o?.category_zh) || "";

export const number = (x, digits = 0) => (x === null || x === undefined ? "—"
  : new Intl.NumberFormat(current, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(x));

export const dateTime = (iso) => (iso ? new Intl.DateTimeFormat(current, {
  dateStyle: "medium", timeStyle: "short", timeZone: "Asia/Shanghai" }).format(new Date(iso)) : "—");

export const date = (isoDay) => (isoDay ? new Intl.DateTimeFormat(current, {
  dateStyle: "long", timeZone: "UTC" }).format(new Date(`${isoDay}T00:00:00Z`)) : "—");
