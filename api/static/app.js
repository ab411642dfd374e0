/* Smart Spot map: boundaries, hotspots, live cars, proposals, and the analyst's drawing tool.
   Plain JavaScript on Leaflet (installed from npm, served by the app: no CDN).
   Texts are English msgids marked t("...") or N_("...") (and data-i18n="..." in index.html),
   translated from the `map` catalog that /i18n.json serves in the browser's language. */
"use strict";

const i18n = { language: "da", messages: {} };
// t("text {name}", {name: value}): the text in the reader's language, fields filled in
function t(text, params) {
  const template = i18n.messages[text] || text;
  return params ? template.replace(/\{(\w+)\}/g, (all, key) => (key in params ? String(params[key]) : all)) : template;
}
const N_ = (text) => text; // marks a text for the catalog; translated with t() where shown
const locale = () => (i18n.language === "da" ? "da-DK" : "en-GB");
const number = (value, digits) =>
  Number(value).toLocaleString(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits });

const CATEGORIES = {
  youth_nuisance: N_("Youth nuisance"),
  mopeds_traffic: N_("Mopeds and traffic"),
  speeding: N_("Speeding"),
  nightlife: N_("Nightlife"),
  burglary_area: N_("Burglary-prone area"),
  drugs_near_school: N_("Drugs near a school"),
  vandalism: N_("Vandalism"),
  other: N_("Other"),
};
const SOURCES = {
  analysis: N_("Analysis"),
  citizen_report: N_("Citizen report"),
  bestil_en_betjent: N_("Bestil en betjent"),
  lokalraad: N_("Local council (lokalråd)"),
  tryghedsopfoelgning: N_("Safety follow-up (tryghedsopfølgning)"),
};
const STATUS = {
  available: N_("Available"),
  dispatched: N_("Dispatched"),
  on_scene: N_("On scene"),
  returning: N_("Returning"),
  on_task: N_("On task"),
  off_duty: N_("Off duty"),
};
const ROLES = { operator: N_("operator"), analyst: N_("analyst"), planner: N_("planner"), admin: N_("administrator") };
const PRIORITY_COLOURS = { 1: "#4caf50", 2: "#9ccc65", 3: "#fdd835", 4: "#fb8c00", 5: "#e53935" };
const STALE_DAYS = 7;

const state = {
  token: sessionStorage.getItem("smartspot.token"),
  role: sessionStorage.getItem("smartspot.role"),
  name: sessionStorage.getItem("smartspot.name"),
  hotspots: new Map(), // id -> {feature, layer}
  followups: new Map(), // id -> {feature, layer}
  patrols: new Map(), // call sign -> {patrol, marker}
  proposals: new Map(), // proposal id -> proposal
  lastVisits: {},
  fulfilment: {}, // hotspot id -> this week's row of /reports/visits' fulfilment
  week: null, // the week running on the service's clock: {label, since, until}
  events: null,
  draw: null,
};

const $ = (id) => document.getElementById(id);
const esc = (text) =>
  String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.classList.add("show");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => box.classList.remove("show"), 4000);
}

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(options.json);
  }
  const answer = await fetch(path, Object.assign({}, options, { headers }));
  if (answer.status === 401 && path !== "/auth/token") {
    logout();
    throw new Error(t("Log in again"));
  }
  const body = answer.headers.get("content-type")?.includes("json") ? await answer.json() : null;
  if (!answer.ok) {
    const error = new Error(body?.detail || t("Error {status}", { status: answer.status }));
    error.status = answer.status;
    throw error;
  }
  return body;
}

// -- map and layers ------------------------------------------------------------------------

// Panes, bottom to top: online tiles (optional), land and kommune fill, roads, boundaries,
// town and street names, then Leaflet's overlay pane (hotspots, proposals) and the cars.
const map = L.map("map", { zoomControl: true, preferCanvas: false }).setView([56.25, 9.3], 8);
[["land", 250], ["roads", 300], ["boundaries", 320], ["labels", 350]].forEach(([name, z]) => {
  map.createPane(name).style.zIndex = String(z);
});
map.getPane("labels").style.pointerEvents = "none";

// The data's licences want their credits wherever the data is shown: always on the map. DAGI's
// credit is the wording its licence prescribes, in Danish whatever the page's language.
const DAGI_CREDIT =
  "Indeholder data fra Geodatastyrelsen (nu Styrelsen for Dataforsyning og Infrastruktur), DAGI 1:500.000, februar 2014";
const CREDITS = [
  N_('Towns © <a href="https://www.geonames.org/">GeoNames</a>, CC BY 4.0'),
  N_('Roads © <a href="https://www.openstreetmap.org/copyright">OpenStreetMap contributors</a>, ODbL'),
];
map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');
function showCredits() {
  [DAGI_CREDIT, ...CREDITS].forEach((text) => map.attributionControl.removeAttribution(t(text)).removeAttribution(text));
  [DAGI_CREDIT, ...CREDITS].forEach((text) => map.attributionControl.addAttribution(t(text)));
}
showCredits();

const kommuneLayer = L.geoJSON(null, {
  pane: "land",
  style: { color: "#7d8fa8", weight: 1, fillColor: "#f3f1ea", fillOpacity: 1 },
}).addTo(map);
const kredsStyle = () => (map.getZoom() >= 13 ? { weight: 1.5, opacity: 0.5 } : { weight: 3, opacity: 1 });
const kredsLayer = L.geoJSON(null, {
  pane: "boundaries",
  style: () => Object.assign({ color: "#13294b", fill: false }, kredsStyle()),
  interactive: false,
}).addTo(map);
// DAGI 1:500 000 is coarse: at street zoom the district line steps back behind the roads
map.on("zoomend", () => kredsLayer.setStyle(kredsStyle()));
const roadRenderer = L.canvas({ pane: "roads", padding: 0.3 });
const roadLayer = L.layerGroup().addTo(map); // casing + fill of the current level
const labelLayer = L.layerGroup().addTo(map); // town and street names
const hotspotLayer = L.layerGroup().addTo(map);
const followupLayer = L.layerGroup().addTo(map);
const proposalLayer = L.layerGroup().addTo(map);
const carLayer = L.layerGroup().addTo(map);
const drawLayer = L.layerGroup().addTo(map);

kommuneLayer.bindTooltip((layer) => esc(layer.feature.properties.kommunenavn), { sticky: true });

// -- offline base layer: roads where the project has OSM data, GeoNames towns ---------------

const ROAD_STYLE = {
  // kind: [fill colour, width at zoom 11, 14, 17], casing drawn 2 px wider underneath
  major: ["#f6c34a", 2.5, 5, 9],
  minor: ["#ffffff", 1.5, 3.5, 7],
  service: ["#ffffff", 0, 2, 4.5],
  path: ["#b5651d", 0, 1.2, 2],
  ferry: ["#2b6cb0", 1.5, 2, 2.5],
};
const basemap = { levels: {}, cache: new Map(), shown: null, towns: null, roads: [] };

function roadWidth(kind, zoom) {
  const [, w11, w14, w17] = ROAD_STYLE[kind] || ROAD_STYLE.minor;
  if (zoom <= 11) return Math.max(1, w11 * Math.pow(2, (zoom - 11) / 2));
  if (zoom <= 14) return w11 + ((w14 - w11) * (zoom - 11)) / 3;
  return w14 + ((w17 - w14) * Math.min(zoom - 14, 3)) / 3;
}

function levelFor(zoom) {
  for (const [name, [low, high]] of Object.entries(basemap.levels)) if (zoom >= low && zoom <= high) return name;
  return null;
}

async function roadsOf(level) {
  if (!basemap.cache.has(level)) basemap.cache.set(level, api(`/basemap/roads/${level}`));
  return basemap.cache.get(level);
}

async function showRoads() {
  const zoom = map.getZoom();
  const level = levelFor(zoom);
  if (!level) return;
  const data = await roadsOf(level);
  if (basemap.shown !== `${level}@${zoom}`) {
    basemap.shown = `${level}@${zoom}`;
    roadLayer.clearLayers();
    const style = (casing) => (feature) => {
      const kind = feature.properties.kind;
      const width = roadWidth(kind, zoom);
      const dashed = kind === "path" || kind === "ferry";
      if (casing) return { color: "#8c8579", weight: dashed ? 0 : width + 2, opacity: dashed ? 0 : 1 };
      return { color: ROAD_STYLE[kind]?.[0] || "#fff", weight: width, dashArray: dashed ? "6 5" : null, opacity: 1 };
    };
    const options = { renderer: roadRenderer, interactive: false };
    roadLayer.addLayer(L.geoJSON(data, { ...options, style: style(true), filter: (f) => f.properties.kind !== "path" }));
    const fill = L.geoJSON(data, { ...options, style: style(false) });
    roadLayer.addLayer(fill);
    basemap.roads = fill.getLayers();
  }
  showLabels();
}

// Town names by size for the zoom; at street zoom the names of the streets in view, each once.
function townMinimum(zoom) {
  if (zoom <= 7) return 50000;
  if (zoom === 8) return 15000;
  if (zoom === 9) return 5000;
  if (zoom === 10) return 2000;
  return 0;
}

// Where the project has no road data, say so at street zoom rather than show a blank plane.
const NoRoadsNote = L.Control.extend({
  options: { position: "bottomleft" },
  onAdd() {
    const box = L.DomUtil.create("div", "basemap-note");
    box.hidden = true;
    return box;
  },
});
const noRoadsNote = new NoRoadsNote().addTo(map);

function showLabels() {
  labelLayer.clearLayers();
  const zoom = map.getZoom();
  const view = map.getBounds().pad(0.2);
  const roadsInView = basemap.roads.some((road) => map.getBounds().intersects(road.getBounds()));
  const note = noRoadsNote.getContainer();
  note.hidden = !(basemap.listening && zoom >= 14 && !roadsInView);
  note.textContent = t(
    "No road data here: the road network is there for Samsø, Anholt, Tunø and Aarhus C only (set SMARTSPOT_TILE_URL for an online map).",
  );
  const placed = []; // screen boxes of the names so far: a name that would overlap one is left out
  const fits = (latlng, text, height) => {
    const p = map.latLngToContainerPoint(latlng);
    const half = (text.length * height * 0.32) + 4;
    const box = [p.x - half, p.y - height / 2 - 2, p.x + half, p.y + height / 2 + 2];
    if (placed.some((b) => box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3])) return false;
    placed.push(box);
    return true;
  };
  if (basemap.towns) {
    const minimum = townMinimum(zoom);
    for (const town of basemap.towns.features) { // largest first
      const [lon, lat] = town.geometry.coordinates;
      if (town.properties.population < minimum || !view.contains([lat, lon])) continue;
      const big = town.properties.population >= 20000 ? " big" : "";
      if (!fits([lat, lon], town.properties.name, big ? 15 : 13)) continue;
      L.marker([lat, lon], {
        pane: "labels",
        interactive: false,
        keyboard: false,
        icon: L.divIcon({ className: `town-label${big}`, html: esc(town.properties.name), iconSize: null }),
      }).addTo(labelLayer);
    }
  }
  if (zoom >= 16) {
    const longest = new Map();
    for (const road of basemap.roads) {
      const name = road.feature.properties.name;
      if (!name || !view.intersects(road.getBounds())) continue;
      const size = road.getBounds().getNorthWest().distanceTo(road.getBounds().getSouthEast());
      if (!longest.has(name) || longest.get(name).size < size) longest.set(name, { road, size });
    }
    for (const [name, { road }] of longest) {
      const points = road.getLatLngs();
      const middle = points[Math.floor(points.length / 2)];
      if (!fits(middle, name, 12)) continue;
      L.marker(middle, {
        pane: "labels",
        interactive: false,
        keyboard: false,
        icon: L.divIcon({ className: "street-label", html: esc(name), iconSize: null }),
      }).addTo(labelLayer);
    }
  }
}

function daysSince(iso) {
  if (!iso) return null;
  return Math.floor((Date.now() - new Date(iso).getTime()) / 86400000);
}

function hotspotStyle(props) {
  const days = daysSince(state.lastVisits[props.id]);
  const stale = days === null || days > STALE_DAYS;
  const behind = Boolean(state.fulfilment[props.id]?.behind);
  const colour = PRIORITY_COLOURS[props.priority] || "#999";
  return {
    // behind its desired visits this week: a thick red ring (the server's fulfilment figures)
    color: behind ? "#c62828" : stale ? "#5b1a00" : "#333",
    weight: behind ? 4 : stale ? 3 : 2,
    dashArray: stale ? "6 4" : null,
    fillColor: colour,
    fillOpacity: props.status === "closed" ? 0.15 : 0.65,
    radius: 7 + props.priority * 1.5,
    className: `hotspot hs-${props.id}${behind ? " behind" : ""}`,
  };
}

// this week's desired against achieved visits per hotspot, from /reports/visits: the week
// running on the service's clock (from /config), with "behind" counted against the visits due
// by now
async function loadFulfilment() {
  if (!state.week) return;
  const params = new URLSearchParams({ since: state.week.since, until: state.week.until, by: "hotspot" });
  const report = await optional(`/reports/visits?${params}`, null);
  const rows = report?.fulfilment?.hotspots || [];
  state.fulfilment = Object.fromEntries(rows.map((row) => [row.hotspot, row]));
}

function fulfilmentText(id) {
  const row = state.fulfilment[id];
  if (!row) return "";
  const values = { achieved: row.achieved, desired: Math.round(row.desired * 10) / 10 };
  return row.behind
    ? t("behind: {achieved} of {desired} visits this week", values)
    : t("{achieved} of {desired} visits this week", values);
}

function popupHtml(props, { title = true } = {}) {
  const steps = (props.steps || []).map((s) => `<li>${esc(s)}</li>`).join("");
  const windows = (props.windows || []).length ? props.windows.join(", ") : t("always");
  const days = daysSince(state.lastVisits[props.id]);
  const visited =
    days === null
      ? t("not visited yet")
      : days === 1
        ? t("last visited 1 day ago")
        : t("last visited {days} days ago", { days });
  return `<div class="popup" data-hotspot="${esc(props.id)}">
    ${title ? `<h3>${esc(props.title)}</h3>` : ""}
    <div class="meta">${esc(t(CATEGORIES[props.category] || props.category))} · ${esc(t("priority {priority}", { priority: props.priority }))}
      · ${esc(props.kommunenavn)} · ${esc(visited)}</div>
    ${fulfilmentText(props.id) ? `<div class="meta fulfilment${state.fulfilment[props.id].behind ? " behind" : ""}">${esc(fulfilmentText(props.id))}</div>` : ""}
    <p>${esc(props.description)}</p>
    <strong>${esc(t("Handling instruction"))}</strong>
    <p class="instruction">${esc(props.instruction)}</p>
    ${steps ? `<ol>${steps}</ol>` : ""}
    <div class="meta">${esc(t("{minutes} min. on site", { minutes: props.minutes_on_site }))} · ${esc(t("active: {windows}", { windows }))} · ${esc(props.id)} v${props.version}</div>
  </div>`;
}

function showHotspot(feature) {
  const props = feature.properties;
  const old = state.hotspots.get(props.id);
  if (old) hotspotLayer.removeLayer(old.layer);
  if (props.status === "closed") {
    state.hotspots.delete(props.id);
    return;
  }
  const style = hotspotStyle(props);
  const layer =
    feature.geometry.type === "Point"
      ? L.circleMarker([feature.geometry.coordinates[1], feature.geometry.coordinates[0]], style)
      : L.geoJSON(feature, { style: () => style });
  layer.bindPopup(() => popupHtml(props), { maxWidth: 420 });
  layer.bindTooltip(esc(props.title));
  layer.on("click", () => showDetail(props));
  layer.addTo(hotspotLayer);
  state.hotspots.set(props.id, { feature, layer });
}

function mayEdit() {
  return state.role === "analyst" || state.role === "admin";
}

function showDetail(props) {
  $("detail-panel").hidden = false;
  $("detail-title").textContent = props.title;
  const tools = mayEdit()
    ? `<div class="row"><button type="button" id="edit-hotspot">${esc(t("Edit"))}</button>
       <button type="button" id="close-hotspot">${esc(t("Close task"))}</button></div>`
    : "";
  // the panel's own heading carries the title: the body leaves it out
  $("detail-body").innerHTML = popupHtml(props, { title: false }) + tools;
  if (!mayEdit()) return;
  $("edit-hotspot").addEventListener("click", () => startEditing(props));
  $("close-hotspot").addEventListener("click", async () => {
    const reason = window.prompt(t("Why is the task being closed?"), "");
    if (!reason || !reason.trim()) return;
    try {
      const closed = await api(`/hotspots/${encodeURIComponent(props.id)}/close`, {
        method: "POST",
        json: { reason: reason.trim(), expected_version: props.version },
      });
      showHotspot(closed);
      $("detail-panel").hidden = true;
      toast(t('The task "{title}" is closed', { title: closed.properties.title }));
    } catch (error) {
      toast(error.message);
    }
  });
}

function startEditing(props) {
  cancelDrawing();
  state.edit = { id: props.id, version: props.version };
  $("draw-panel").hidden = false;
  $("draw-finish").hidden = true;
  $("draw-help").textContent = t("Edit {id} (version {version}) and press Save task.", {
    id: props.id,
    version: props.version,
  });
  $("form-error").textContent = "";
  const f = $("hotspot-form").elements;
  f.title.value = props.title;
  f.category.value = props.category;
  f.priority.value = String(props.priority);
  f.description.value = props.description;
  f.instruction.value = props.instruction;
  f.steps.value = (props.steps || []).join("\n");
  f.minutes_on_site.value = props.minutes_on_site;
  f.windows.value = (props.windows || []).join("\n");
  f.visits_per_week.value = props.visits_per_week;
  f.source.value = props.source;
  $("hotspot-form").hidden = false;
}

function showPatrol(patrol) {
  const old = state.patrols.get(patrol.call_sign);
  if (old && old.marker) carLayer.removeLayer(old.marker);
  let marker = null;
  if (patrol.lon !== null && patrol.lon !== undefined) {
    const icon = L.divIcon({
      className: "",
      html: `<div class="car-label st-${esc(patrol.status)}" data-car="${esc(patrol.call_sign)}">${esc(patrol.call_sign)}</div>`,
      iconSize: null,
      iconAnchor: [10, 10],
    });
    marker = L.marker([patrol.lat, patrol.lon], { icon, zIndexOffset: 1000 });
    marker.bindTooltip(`${esc(patrol.call_sign)}: ${esc(t(STATUS[patrol.status] || patrol.status))}`);
    marker.addTo(carLayer);
  }
  state.patrols.set(patrol.call_sign, { patrol, marker });
  renderPatrolTable();
}

function renderPatrolTable() {
  const rows = [...state.patrols.values()]
    .map(({ patrol }) => patrol)
    .sort((a, b) => a.call_sign.localeCompare(b.call_sign))
    .map((p) => {
      const seen = p.position_at
        ? new Date(p.position_at).toLocaleTimeString(locale(), { timeZone: "Europe/Copenhagen", hour12: false })
        : "–";
      return `<tr data-car="${esc(p.call_sign)}"><td><strong>${esc(p.call_sign)}</strong></td>
        <td><span class="status st-${esc(p.status)}">${esc(t(STATUS[p.status] || p.status))}</span></td><td>${esc(seen)}</td></tr>`;
    });
  $("patrols").querySelector("tbody").innerHTML =
    rows.join("") || `<tr><td colspan="3" class="help">${esc(t("No patrols."))}</td></tr>`;
}

// -- proposals -----------------------------------------------------------------------------

function hhmm(iso) {
  return new Date(iso).toLocaleTimeString(locale(), {
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
    timeZone: "Europe/Copenhagen",
  });
}

function renderProposals() {
  proposalLayer.clearLayers();
  const pending = [...state.proposals.values()].filter((p) => p.status === "pending");
  if (!pending.length) {
    $("proposals").innerHTML = `<p class="help">${esc(t("No proposals right now."))}</p>`;
    return;
  }
  const mayDecide = state.role === "operator" || state.role === "admin";
  $("proposals").innerHTML = pending
    .map((p) => {
      const stops = p.stops
        .map(
          (s) => `<li data-stop="${esc(s.hotspot)}"><strong>${esc(s.title)}</strong> – ${esc(t("arrival {time}, {minutes} min.", { time: hhmm(s.eta), minutes: s.minutes_on_site }))}
            ${mayDecide && p.stops.length > 1 ? `<button type="button" class="remove" data-proposal="${esc(p.id)}" data-hotspot="${esc(s.hotspot)}">${esc(t("Remove stop"))}</button>` : ""}
            <div class="why">${esc(s.why)}</div></li>`,
        )
        .join("");
      const actions = mayDecide
        ? `<div class="actions">
            <button type="button" class="accept" data-proposal="${esc(p.id)}">${esc(t("Accept"))}</button>
            <button type="button" class="reject" data-proposal="${esc(p.id)}">${esc(t("Reject"))}</button>
          </div>`
        : `<p class="help">${esc(t("Only an operator can decide."))}</p>`;
      const heading =
        p.stops.length === 1
          ? t("{car}: 1 stop on the way home", { car: p.patrol })
          : t("{car}: {n} stops on the way home", { car: p.patrol, n: p.stops.length });
      const facts = t("Detour {detour} min. · home {home} · value {value}", {
        detour: number(p.detour_min, 0),
        home: p.home_at ? hhmm(p.home_at) : "–",
        value: number(p.value, 1),
      });
      return `<div class="proposal" data-proposal="${esc(p.id)}" data-car="${esc(p.patrol)}">
        <h3>${esc(heading)}</h3>
        <div class="help">${esc(facts)}</div>
        <ol>${stops}</ol>${actions}</div>`;
    })
    .join("");
  for (const p of pending) {
    const line = p.stops.filter((s) => s.lon !== undefined).map((s) => [s.lat, s.lon]);
    const car = state.patrols.get(p.patrol);
    if (car && car.patrol.lat !== null && car.patrol.lat !== undefined) line.unshift([car.patrol.lat, car.patrol.lon]);
    if (line.length > 1) L.polyline(line, { color: "#ef6c00", weight: 4, dashArray: "8 6" }).addTo(proposalLayer);
  }
}

async function decide(id, action, body) {
  try {
    const decided = await api(`/proposals/${encodeURIComponent(id)}/${action}`, { method: "POST", json: body });
    state.proposals.set(decided.id, decided);
    renderProposals();
    toast(
      action === "accept"
        ? t("{car} is on the task", { car: decided.patrol })
        : t("The proposal for {car} is rejected", { car: decided.patrol }),
    );
  } catch (error) {
    toast(error.message);
  }
}

$("proposals").addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button) return;
  const id = button.dataset.proposal;
  if (button.classList.contains("accept")) decide(id, "accept", {});
  else if (button.classList.contains("reject")) {
    const reason = window.prompt(t("Why is the proposal rejected?"), "");
    if (reason && reason.trim()) decide(id, "reject", { reason: reason.trim() });
  } else if (button.classList.contains("remove")) {
    decide(id, "accept", { remove: [button.dataset.hotspot] });
  }
});

// -- live events ---------------------------------------------------------------------------

async function listen() {
  if (state.events) state.events.close();
  // The stream logs in with an HttpOnly cookie set by POST /events/session: no token in a URL.
  await api("/events/session", { method: "POST" });
  const source = new EventSource("/events");
  source.onopen = () => $("live").classList.remove("down");
  source.onerror = () => $("live").classList.add("down");
  source.addEventListener("logout", () => logout());
  source.addEventListener("hotspot", (e) => showHotspot(JSON.parse(e.data)));
  source.addEventListener("followup", (e) => showFollowup(JSON.parse(e.data)));
  source.addEventListener("patrol", (e) => showPatrol(JSON.parse(e.data)));
  source.addEventListener("positions", (e) => {
    for (const fix of JSON.parse(e.data).positions) {
      const known = state.patrols.get(fix.call_sign);
      if (known) showPatrol(Object.assign({}, known.patrol, { lon: fix.lon, lat: fix.lat, position_at: fix.at }));
    }
  });
  source.addEventListener("proposal", (e) => {
    const proposal = JSON.parse(e.data);
    state.proposals.set(proposal.id, proposal);
    renderProposals();
    if (proposal.status === "pending") toast(t("New proposal for {car}", { car: proposal.patrol }));
  });
  source.addEventListener("visit", async (e) => {
    const visit = JSON.parse(e.data);
    state.lastVisits[visit.hotspot] = visit.arrived_at;
    await loadFulfilment();
    const entry = state.hotspots.get(visit.hotspot);
    if (entry) showHotspot(entry.feature);
  });
  state.events = source;
}

// -- analyst drawing: click to place a point, or click vertices and finish the polygon -------

function startDrawing(kind) {
  cancelDrawing();
  state.draw = { kind, vertices: [] };
  document.body.classList.add("drawing");
  $("draw-panel").hidden = false;
  $("hotspot-form").hidden = true;
  $("draw-finish").hidden = kind !== "polygon";
  $("draw-help").textContent =
    kind === "point"
      ? t("Click the map where the task is.")
      : t("Click the corners of the area on the map, and press Finish area.");
  $("form-error").textContent = "";
}

function cancelDrawing() {
  state.draw = null;
  state.edit = null;
  drawLayer.clearLayers();
  document.body.classList.remove("drawing");
  $("draw-panel").hidden = true;
}

function redrawSketch() {
  drawLayer.clearLayers();
  const d = state.draw;
  if (!d) return;
  d.vertices.forEach((v) => L.circleMarker(v, { radius: 5, color: "#13294b", fillOpacity: 1 }).addTo(drawLayer));
  if (d.kind === "polygon" && d.vertices.length > 1) {
    L.polygon(d.vertices, { color: "#13294b", dashArray: d.closed ? null : "4 4" }).addTo(drawLayer);
  }
}

map.on("click", (event) => {
  const d = state.draw;
  if (!d || d.closed) return;
  d.vertices.push([event.latlng.lat, event.latlng.lng]);
  if (d.kind === "point") {
    d.closed = true;
    showForm();
  } else {
    $("draw-help").textContent = t("{n} corners. Click more, or press Finish area.", { n: d.vertices.length });
  }
  redrawSketch();
});

$("draw-finish").addEventListener("click", () => {
  const d = state.draw;
  if (!d || d.vertices.length < 3) {
    $("draw-help").textContent = t("An area needs at least three corners.");
    return;
  }
  d.closed = true;
  redrawSketch();
  showForm();
});

function showForm() {
  $("hotspot-form").hidden = false;
  $("draw-finish").hidden = true;
  $("draw-help").textContent = t("Fill in the task and press Save task.");
  $("hotspot-form").elements.title.focus();
}

function drawnGeometry() {
  const d = state.draw;
  if (d.kind === "point") return { type: "Point", coordinates: [d.vertices[0][1], d.vertices[0][0]] };
  const ring = d.vertices.map(([lat, lon]) => [lon, lat]);
  ring.push(ring[0]);
  return { type: "Polygon", coordinates: [ring] };
}

const lines = (text) => text.split("\n").map((s) => s.trim()).filter(Boolean);

$("hotspot-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const f = event.target.elements;
  const properties = {
      title: f.title.value.trim(),
      category: f.category.value,
      priority: Number(f.priority.value),
      description: f.description.value.trim(),
      instruction: f.instruction.value.trim(),
      steps: lines(f.steps.value),
      minutes_on_site: Number(f.minutes_on_site.value),
      windows: lines(f.windows.value),
      visits_per_week: Number(f.visits_per_week.value),
      source: f.source.value,
  };
  try {
    let saved;
    if (state.edit) {
      saved = await api(`/hotspots/${encodeURIComponent(state.edit.id)}`, {
        method: "PATCH",
        json: { expected_version: state.edit.version, properties },
      });
    } else {
      saved = await api("/hotspots", {
        method: "POST",
        json: { type: "Feature", geometry: drawnGeometry(), properties },
      });
    }
    showHotspot(saved);
    showDetail(saved.properties);
    event.target.reset();
    cancelDrawing();
    toast(
      t('The task "{title}" is saved ({kommune}, version {version})', {
        title: saved.properties.title,
        kommune: saved.properties.kommunenavn,
        version: saved.properties.version,
      }),
    );
  } catch (error) {
    $("form-error").textContent =
      error.status === 409
        ? t("Someone else changed the task after you opened it. Close the form and open the task again. ({message})", {
            message: error.message,
          })
        : error.message;
  }
});

$("draw-point").addEventListener("click", () => startDrawing("point"));
$("draw-polygon").addEventListener("click", () => startDrawing("polygon"));
$("draw-cancel").addEventListener("click", cancelDrawing);

// -- login and start -----------------------------------------------------------------------

function fillSelect(select, options) {
  select.innerHTML = Object.entries(options)
    .map(([value, text]) => `<option value="${value}">${esc(t(text))}</option>`)
    .join("");
}

// the page's own texts: data-i18n="English" (element text), -placeholder, -title
function translatePage() {
  document.documentElement.lang = i18n.language;
  document.querySelectorAll("[data-i18n]").forEach((el) => (el.textContent = t(el.dataset.i18n)));
  document.querySelectorAll("[data-i18n-title]").forEach((el) => (el.title = t(el.dataset.i18nTitle)));
  document
    .querySelectorAll("[data-i18n-aria-label]")
    .forEach((el) => el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel)));
  document
    .querySelectorAll("[data-i18n-placeholder]")
    .forEach((el) => (el.placeholder = t(el.dataset.i18nPlaceholder)));
  document.title = t("Smart Spot – dispatch centre");
}

function logout() {
  sessionStorage.clear();
  state.token = null;
  if (state.events) state.events.close();
  state.events = null;
  fetch("/events/session", { method: "DELETE" }).catch(() => {});
  $("login").hidden = false;
  $("tools").hidden = true;
}
$("logout").addEventListener("click", logout);

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new URLSearchParams(new FormData(event.target));
  try {
    const answer = await fetch("/auth/token", { method: "POST", body: form });
    const body = await answer.json();
    if (!answer.ok) throw new Error(body.detail);
    Object.assign(state, { token: body.access_token, role: body.role, name: body.name });
    sessionStorage.setItem("smartspot.token", body.access_token);
    sessionStorage.setItem("smartspot.role", body.role);
    sessionStorage.setItem("smartspot.name", body.name);
    $("login-error").textContent = "";
    await start();
  } catch (error) {
    $("login-error").textContent = error.message;
  }
});

async function optional(path, fallback) {
  try {
    return await api(path);
  } catch (error) {
    return fallback;
  }
}

async function start() {
  $("login").hidden = true;
  $("tools").hidden = false;
  $("whoami").textContent = `${state.name} (${t(ROLES[state.role] || state.role)})`;
  document.querySelectorAll(".analyst-only").forEach((el) => {
    el.hidden = !(state.role === "analyst" || state.role === "admin");
  });
  const config = await api("/config");
  state.week = config.week;
  $("district").textContent = config.district;
  basemap.levels = config.basemap_levels || {};
  if (config.tile_url) {
    // the online tiles draw roads and names themselves; the kommune fill must not hide them
    L.tileLayer(config.tile_url, { maxZoom: 19 }).addTo(map).bringToBack();
    kommuneLayer.setStyle({ fillOpacity: 0 });
  } else if (!basemap.listening) {
    basemap.listening = true;
    map.on("zoomend", () => showRoads().catch(() => {}));
    map.on("moveend", showLabels);
    basemap.towns = await optional("/basemap/towns", null);
  }
  const [kommuner, kredse] = await Promise.all([api("/boundaries/kommune"), api("/boundaries/politikreds")]);
  kommuneLayer.clearLayers().addData(kommuner);
  kredsLayer.clearLayers().addData(kredse);
  const home = kredse.features.find((f) => f.properties.politikreds === config.district);
  if (home) map.fitBounds(L.geoJSON(home).getBounds(), { padding: [10, 10] });
  if (!config.tile_url) await showRoads().catch(() => {});
  state.lastVisits = await optional("/visits/last", {});
  await loadFulfilment();
  const hotspots = await api("/hotspots?status=open&limit=10000");
  hotspotLayer.clearLayers();
  state.hotspots.clear();
  hotspots.features.forEach(showHotspot);
  const followups = await optional("/followups?status=open&limit=10000", { features: [] });
  followupLayer.clearLayers();
  state.followups.clear();
  followups.features.forEach(showFollowup);
  const patrols = await optional("/patrols", []);
  carLayer.clearLayers();
  state.patrols.clear();
  patrols.forEach(showPatrol);
  renderPatrolTable();
  const proposals = await optional("/proposals?status=pending", []);
  state.proposals.clear();
  proposals.forEach((p) => state.proposals.set(p.id, p));
  renderProposals();
  await listen();
  document.body.dataset.ready = "true";
}

async function boot() {
  try {
    // the browser's Accept-Language chooses Danish or English (Danish when it names neither)
    Object.assign(i18n, await (await fetch("/i18n.json")).json());
  } catch (error) {
    // without the catalog the page shows its English msgids rather than nothing
  }
  translatePage();
  showCredits();
  fillSelect($("category-select"), CATEGORIES);
  fillSelect($("source-select"), SOURCES);
  if (state.token) {
    start().catch(() => logout());
  } else {
    logout();
  }
}
boot();
