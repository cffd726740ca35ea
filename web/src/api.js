// Reads the citytwin API of the server that served the page (same origin, nothing else).

export class ApiError extends Error {
  constructor(url, status, detail) {
    super(`${url}: HTTP ${status}${detail ? ` — ${detail}` : ""}`);
    this.status = status;
  }
}

async function get(path, params, accept) {
  const url = params ? `${path}?${new URLSearchParams(params)}` : path;
  return checked(url, await fetch(url, { headers: accept ? { Accept: accept } : {} }));
}

async function checked(url, response) {
  if (!response.ok) {
    let detail = "";
    try { detail = (await response.json()).detail || ""; } catch { /* not a problem document */ }
    throw new ApiError(url, response.status, detail);
  }
  return response;
}

export const getJson = async (path, params, accept) => (await get(path, params, accept)).json();

// The overview's and the map's data, asked for once per page view: index.html starts both requests
// as the page is parsed (window.citytwinFirst); the overview view takes them with `take()`, or asks
// now when the page did not (another view came first, or the overview is shown again).
const AREAS = ["/ngsi-ld/v1/entities", { type: "AdministrativeArea", limit: 1000 }, "application/geo+json"];
export function take() {
  const first = window.citytwinFirst;
  window.citytwinFirst = null;
  if (!first) return { overview: overview(), areas: areas() };
  const json = async (url, response) => (await checked(url, await response)).json();
  return { overview: json("/api/v1/dashboard/overview", first.overview),
    areas: json(`${AREAS[0]}?${new URLSearchParams(AREAS[1])}`, first.areas) };
}

export const overview = () => getJson("/api/v1/dashboard/overview");
export const station = (id, days = 14) => getJson(`/api/v1/dashboard/stations/${encodeURIComponent(id)}`, { days });
export const history = (days = 3) => getJson("/api/v1/dashboard/history", { days });
export const air = (days = 30) => getJson("/api/v1/dashboard/air", { days });
export const forecast = (station, days = 7) =>
  getJson(`/api/v1/dashboard/forecast/${encodeURIComponent(station)}`, { days });
export const carbon = () => getJson("/api/v1/dashboard/carbon");
export const inventory = (reference, year) => getJson("/api/v1/dashboard/carbon/inventory", { reference, year });
export const finance = () => getJson("/api/v1/dashboard/finance");
export const ledger = () => getJson("/api/v1/dashboard/ledger");
export const ledgerHistory = (limit = 500) => getJson("/api/v1/dashboard/ledger/history", { limit });
export const areas = () => getJson(...AREAS);
// The proof bundle of a reading and its log index (the X-Log-Index header).
export async function observationProof(entityId, attribute, observedAt) {
  const response = await get("/api/v1/proofs/observations", { entity_id: entityId, attribute, observed_at: observedAt });
  return { text: await response.text(), index: Number(response.headers.get("X-Log-Index")) };
}
export const anchors = (index) => getJson(`/api/v1/proofs/anchors/${index}`);

// The district's other programs (issue 11), from their own routers.
export const green = () => getJson("/api/v1/green/indicators");
export const metroStations = () => getJson("/api/v1/transport/stations");
export const metroLines = () => getJson("/api/v1/transport/lines");
export const metroReach = () => getJson("/api/v1/transport/reach");
export const investment = () => getJson("/api/v1/projects");
export const investmentTotals = () => getJson("/api/v1/projects/totals");
export const facilities = () => getJson("/api/v1/services/facilities");
