/* Smart Spot map: boundaries, hotspots, live cars, proposals, and the analyst's drawing tool.
   Plain JavaScript on Leaflet (installed from npm, served by the app: no CDN). */
"use strict";

const CATEGORIES = {
  youth_nuisance: "Uro blandt unge",
  mopeds_traffic: "Knallerter og trafik",
  speeding: "Fart",
  nightlife: "Natteliv",
  burglary_area: "Indbrudsudsat område",
  drugs_near_school: "Narko ved skole",
  vandalism: "Hærværk",
  other: "Andet",
};
const SOURCES = {
  analysis: "Analyse",
  citizen_report: "Borgerhenvendelse",
  bestil_en_betjent: "Bestil en betjent",
  lokalraad: "Lokalråd",
  tryghedsopfoelgning: "Tryghedsopfølgning",
};
const STATUS = {
  available: "Ledig",
  dispatched: "Disponeret",
  on_scene: "På stedet",
  returning: "På vej hjem",
  on_task: "På opgave",
  off_duty: "Fri",
};
const ROLES = { operator: "operatør", analyst: "analytiker", planner: "planlægger", admin: "administrator" };
const PRIORITY_COLOURS = { 1: "#4caf50", 2: "#9ccc65", 3: "#fdd835", 4: "#fb8c00", 5: "#e53935" };
const STALE_DAYS = 7;

const state = {
  token: sessionStorage.getItem("smartspot.token"),
  role: sessionStorage.getItem("smartspot.role"),
  name: sessionStorage.getItem("smartspot.name"),
  hotspots: new Map(), // id -> {feature, layer}
  patrols: new Map(), // call sign -> {patrol, marker}
  proposals: new Map(), // proposal id -> proposal
  lastVisits: {},
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
    throw new Error("Log ind igen");
  }
  const body = answer.headers.get("content-type")?.includes("json") ? await answer.json() : null;
  if (!answer.ok) throw new Error(body?.detail || `Fejl ${answer.status}`);
  return body;
}

// -- map and layers ------------------------------------------------------------------------

const map = L.map("map", { zoomControl: true, preferCanvas: false }).setView([56.25, 9.3], 8);
const kommuneLayer = L.geoJSON(null, {
  style: { color: "#7d8fa8", weight: 1, fillColor: "#f3f1ea", fillOpacity: 1 },
}).addTo(map);
const kredsLayer = L.geoJSON(null, {
  style: { color: "#13294b", weight: 3, fill: false },
  interactive: false,
}).addTo(map);
const hotspotLayer = L.layerGroup().addTo(map);
const proposalLayer = L.layerGroup().addTo(map);
const carLayer = L.layerGroup().addTo(map);
const drawLayer = L.layerGroup().addTo(map);

kommuneLayer.bindTooltip((layer) => esc(layer.feature.properties.kommunenavn), { sticky: true });

function daysSince(iso) {
  if (!iso) return null;
  return Math.floor((Date.now() - new Date(iso).getTime()) / 86400000);
}

function hotspotStyle(props) {
  const days = daysSince(state.lastVisits[props.id]);
  const stale = days === null || days > STALE_DAYS;
  const colour = PRIORITY_COLOURS[props.priority] || "#999";
  return {
    color: stale ? "#5b1a00" : "#333",
    weight: stale ? 3 : 2,
    dashArray: stale ? "6 4" : null,
    fillColor: colour,
    fillOpacity: props.status === "closed" ? 0.15 : 0.65,
    radius: 7 + props.priority * 1.5,
  };
}

function popupHtml(props) {
  const steps = (props.steps || []).map((s) => `<li>${esc(s)}</li>`).join("");
  const windows = (props.windows || []).length ? props.windows.join(", ") : "altid";
  const days = daysSince(state.lastVisits[props.id]);
  const visited = days === null ? "ikke besøgt endnu" : `sidst besøgt for ${days} dage siden`;
  return `<div class="popup" data-hotspot="${esc(props.id)}">
    <h3>${esc(props.title)}</h3>
    <div class="meta">${esc(CATEGORIES[props.category] || props.category)} · prioritet ${props.priority}
      · ${esc(props.kommunenavn)} · ${esc(visited)}</div>
    <p>${esc(props.description)}</p>
    <strong>Handlingsanvisning</strong>
    <p class="instruction">${esc(props.instruction)}</p>
    ${steps ? `<ol>${steps}</ol>` : ""}
    <div class="meta">${props.minutes_on_site} min. på stedet · aktiv: ${esc(windows)} · ${esc(props.id)} v${props.version}</div>
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
    ? `<div class="row"><button type="button" id="edit-hotspot">Rediger</button>
       <button type="button" id="close-hotspot">Luk opgave</button></div>`
    : "";
  $("detail-body").innerHTML = popupHtml(props) + tools;
  if (!mayEdit()) return;
  $("edit-hotspot").addEventListener("click", () => startEditing(props));
  $("close-hotspot").addEventListener("click", async () => {
    const reason = window.prompt("Hvorfor lukkes opgaven?", "");
    if (!reason || !reason.trim()) return;
    try {
      const closed = await api(`/hotspots/${encodeURIComponent(props.id)}/close`, {
        method: "POST",
        json: { reason: reason.trim(), expected_version: props.version },
      });
      showHotspot(closed);
      $("detail-panel").hidden = true;
      toast(`Opgaven "${closed.properties.title}" er lukket`);
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
  $("draw-help").textContent = `Ret ${props.id} (version ${props.version}) og tryk Gem opgave.`;
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
    marker.bindTooltip(`${esc(patrol.call_sign)}: ${esc(STATUS[patrol.status] || patrol.status)}`);
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
      const seen = p.position_at ? new Date(p.position_at).toLocaleTimeString("da-DK") : "–";
      return `<tr data-car="${esc(p.call_sign)}"><td><strong>${esc(p.call_sign)}</strong></td>
        <td><span class="status st-${esc(p.status)}">${esc(STATUS[p.status] || p.status)}</span></td><td>${esc(seen)}</td></tr>`;
    });
  $("patrols").querySelector("tbody").innerHTML = rows.join("") || `<tr><td colspan="3" class="help">Ingen patruljer.</td></tr>`;
}

// -- proposals -----------------------------------------------------------------------------

function hhmm(iso) {
  return new Date(iso).toLocaleTimeString("da-DK", { hour: "2-digit", minute: "2-digit" });
}

function renderProposals() {
  proposalLayer.clearLayers();
  const pending = [...state.proposals.values()].filter((p) => p.status === "pending");
  if (!pending.length) {
    $("proposals").innerHTML = `<p class="help">Ingen forslag lige nu.</p>`;
    return;
  }
  const mayDecide = state.role === "operator" || state.role === "admin";
  $("proposals").innerHTML = pending
    .map((p) => {
      const stops = p.stops
        .map(
          (s) => `<li data-stop="${esc(s.hotspot)}"><strong>${esc(s.title)}</strong> – ankomst ${hhmm(s.eta)}, ${s.minutes_on_site} min.
            ${mayDecide && p.stops.length > 1 ? `<button type="button" class="remove" data-proposal="${esc(p.id)}" data-hotspot="${esc(s.hotspot)}">Fjern stop</button>` : ""}
            <div class="why">${esc(s.why)}</div></li>`,
        )
        .join("");
      const actions = mayDecide
        ? `<div class="actions">
            <button type="button" class="accept" data-proposal="${esc(p.id)}">Accepter</button>
            <button type="button" class="reject" data-proposal="${esc(p.id)}">Afvis</button>
          </div>`
        : `<p class="help">Kun en operatør kan beslutte.</p>`;
      return `<div class="proposal" data-proposal="${esc(p.id)}" data-car="${esc(p.patrol)}">
        <h3>${esc(p.patrol)}: ${p.stops.length} ${p.stops.length === 1 ? "stop" : "stop"} på vejen hjem</h3>
        <div class="help">Omvej ${p.detour_min.toFixed(0)} min. · hjemme ${p.home_at ? hhmm(p.home_at) : "–"} · værdi ${p.value.toFixed(1)}</div>
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
    toast(action === "accept" ? `${decided.patrol} er sat på opgave` : `Forslaget til ${decided.patrol} er afvist`);
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
    const reason = window.prompt("Hvorfor afvises forslaget?", "");
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
    if (proposal.status === "pending") toast(`Nyt forslag til ${proposal.patrol}`);
  });
  source.addEventListener("visit", (e) => {
    const visit = JSON.parse(e.data);
    state.lastVisits[visit.hotspot] = visit.arrived_at;
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
    kind === "point" ? "Klik på kortet, hvor opgaven er." : "Klik hjørnerne af området på kortet, og tryk Afslut område.";
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
    $("draw-help").textContent = `${d.vertices.length} hjørner. Klik flere, eller tryk Afslut område.`;
  }
  redrawSketch();
});

$("draw-finish").addEventListener("click", () => {
  const d = state.draw;
  if (!d || d.vertices.length < 3) {
    $("draw-help").textContent = "Et område skal have mindst tre hjørner.";
    return;
  }
  d.closed = true;
  redrawSketch();
  showForm();
});

function showForm() {
  $("hotspot-form").hidden = false;
  $("draw-finish").hidden = true;
  $("draw-help").textContent = "Udfyld opgaven og tryk Gem opgave.";
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
    toast(`Opgaven "${saved.properties.title}" er gemt (${saved.properties.kommunenavn}, version ${saved.properties.version})`);
  } catch (error) {
    $("form-error").textContent = error.message.includes("reload it")
      ? `En anden har ændret opgaven, siden du åbnede den. Luk formularen og åbn opgaven igen. (${error.message})`
      : error.message;
  }
});

$("draw-point").addEventListener("click", () => startDrawing("point"));
$("draw-polygon").addEventListener("click", () => startDrawing("polygon"));
$("draw-cancel").addEventListener("click", cancelDrawing);

// -- login and start -----------------------------------------------------------------------

function fillSelect(select, options) {
  select.innerHTML = Object.entries(options).map(([v, t]) => `<option value="${v}">${esc(t)}</option>`).join("");
}
fillSelect($("category-select"), CATEGORIES);
fillSelect($("source-select"), SOURCES);

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
    if (answer.status === 429) {
      throw new Error(`For mange forkerte forsøg. Prøv igen om ${answer.headers.get("Retry-After") || "lidt"} sekunder.`);
    }
    if (!answer.ok) throw new Error(body.detail === "wrong user name or password" ? "Forkert brugernavn eller adgangskode" : body.detail);
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
  $("whoami").textContent = `${state.name} (${ROLES[state.role] || state.role})`;
  document.querySelectorAll(".analyst-only").forEach((el) => {
    el.hidden = !(state.role === "analyst" || state.role === "admin");
  });
  const config = await api("/config");
  $("district").textContent = config.district;
  if (config.tile_url) {
    L.tileLayer(config.tile_url, { maxZoom: 19, attribution: "© OpenStreetMap contributors" }).addTo(map).bringToBack();
    kommuneLayer.setStyle({ fillOpacity: 0 });
  }
  const [kommuner, kredse] = await Promise.all([api("/boundaries/kommune"), api("/boundaries/politikreds")]);
  kommuneLayer.clearLayers().addData(kommuner);
  kredsLayer.clearLayers().addData(kredse);
  const home = kredse.features.find((f) => f.properties.politikreds === config.district);
  if (home) map.fitBounds(L.geoJSON(home).getBounds(), { padding: [10, 10] });
  state.lastVisits = await optional("/visits/last", {});
  const hotspots = await api("/hotspots?status=open&limit=10000");
  hotspotLayer.clearLayers();
  state.hotspots.clear();
  hotspots.features.forEach(showHotspot);
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

if (state.token) {
  start().catch(() => logout());
} else {
  logout();
}
