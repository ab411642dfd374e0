/* Smart Spot map: tryghedsopfølgninger (follow-ups), their own symbol (a house) and panel.
   Loaded before app.js, whose helpers (t, N_, esc, $, api, toast, state, followupLayer) these
   functions use when called, never while this file loads.

   The API sends an operator or a planner no name or phone ("personal": "withheld"); the
   patrol's contact details come from /followups/{id}/contact once its car has accepted the
   task. Operators, analysts and admins record an attempt's outcome and close the task from the
   panel (POST /followups/{id}/attempts and /close); a planner only reads. */
"use strict";

function followupCategory(value) {
  const names = {
    burglary: N_("Burglary"),
    violence: N_("Violence"),
    theft: N_("Theft"),
    vandalism: N_("Vandalism"),
    threats: N_("Threats"),
    harassment: N_("Harassment"),
    unsafe_behaviour: N_("Unsafe behaviour"),
    traffic: N_("Traffic"),
    other: N_("Other"),
  };
  return t(names[value] || value);
}

function followupStatus(value) {
  const names = {
    open: N_("open"),
    done_in_person: N_("done in person"),
    done_by_phone: N_("done by phone"),
    not_reached: N_("not reached"),
    cancelled: N_("cancelled"),
  };
  return t(names[value] || value);
}

// What the crew reports at the door: [label, outcome, what was left when no one was home].
function followupOutcomes() {
  return [
    [N_("Reached in person"), "reached", null],
    [N_("Not home: leaflet left"), "not_home", "leaflet"],
    [N_("Not home: neighbour or relative contacted"), "not_home", "neighbour"],
    [N_("Not home: nothing left"), "not_home", "nothing"],
    [N_("Refused"), "refused", null],
  ];
}

// How the task can be closed by hand: [label, status]; cancelling needs a reason.
function followupClosings() {
  return [
    [N_("Done by phone"), "done_by_phone"],
    [N_("Not reached"), "not_reached"],
    [N_("Cancel the task"), "cancelled"],
  ];
}

function followupIcon(props) {
  const phone = props.queue === "phone" ? " phone" : "";
  return L.divIcon({
    className: "",
    html: `<span class="followup-marker p${esc(props.priority)}${phone}" data-followup="${esc(props.id)}">⌂</span>`,
    iconSize: [22, 22],
    iconAnchor: [11, 11],
  });
}

function showFollowup(feature) {
  const props = feature.properties;
  const old = state.followups.get(props.id);
  if (old) followupLayer.removeLayer(old.layer);
  if (props.status !== "open") {
    state.followups.delete(props.id);
    return;
  }
  const [lon, lat] = feature.geometry.coordinates;
  const layer = L.marker([lat, lon], { icon: followupIcon(props), keyboard: false });
  layer.bindTooltip(esc(t("Follow-up: {category}", { category: followupCategory(props.category) })));
  layer.on("click", () => showFollowupDetail(props));
  layer.addTo(followupLayer);
  state.followups.set(props.id, { feature, layer });
}

function followupHtml(props) {
  const hours = (props.windows || []).length ? props.windows.join(", ") : t("any time");
  const rows = [
    [t("Task"), props.task],
    [t("Address"), props.address || "–"],
    [t("Due by"), props.due_by],
    [t("Preferred hours"), hours],
    [t("On site"), t("{minutes} min. on site", { minutes: props.minutes_on_site })],
    [t("Status"), followupStatus(props.status) + (props.queue === "phone" ? ` (${t("phone queue")})` : "")],
    [t("Attempts"), String(props.attempts)],
  ];
  if (props.personal === "shown") {
    rows.push([t("Citizen"), props.name], [t("Phone"), props.phone || "–"]);
  }
  return `<div class="popup followup" data-followup="${esc(props.id)}">
    <div class="meta">${esc(followupCategory(props.category))} · ${esc(t("priority {priority}", { priority: props.priority }))} · ${esc(props.kommunenavn)} · ${esc(props.case_ref)}</div>
    <dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")}</dl>
    <div id="followup-contact"></div>
  </div>`;
}

const mayRecordFollowups = () => ["operator", "analyst", "admin"].includes(state.role);

// The car whose accepted proposal holds the task, if the map has seen one.
function holdingCar(id) {
  for (const p of state.proposals.values()) {
    if (p.status === "accepted" && p.stops.some((s) => s.hotspot === id && !s.removed)) return p.patrol;
  }
  return null;
}

function outcomeTools(props) {
  const held = holdingCar(props.id);
  const cars = [...state.patrols.keys()].sort();
  if (held && !cars.includes(held)) cars.unshift(held);
  const options = cars
    .map((c) => `<option value="${esc(c)}"${c === held ? " selected" : ""}>${esc(c)}</option>`)
    .join("");
  const outcomes = followupOutcomes()
    .map(
      ([label, outcome, left]) =>
        `<button type="button" class="outcome" data-outcome="${outcome}" data-left="${left || ""}">${esc(t(label))}</button>`,
    )
    .join("");
  const closings = followupClosings()
    .map(([label, status]) => `<button type="button" class="closing" data-status="${status}">${esc(t(label))}</button>`)
    .join("");
  return `<div class="followup-tools">
    <h4>${esc(t("Attempt at the door"))}</h4>
    <label>${esc(t("Patrol"))} <select id="followup-patrol">${options}</select></label>
    <div class="buttons">${outcomes}</div>
    <h4>${esc(t("Close"))}</h4>
    <div class="buttons">${closings}</div>
    <div id="followup-error" class="error" role="alert"></div>
  </div>`;
}

async function recordFollowup(props, path, body, done) {
  try {
    const after = await api(`/followups/${encodeURIComponent(props.id)}/${path}`, { method: "POST", json: body });
    showFollowup(after);
    if (after.properties.status === "open") showFollowupDetail(after.properties);
    else $("detail-panel").hidden = true;
    toast(done(after.properties));
  } catch (error) {
    $("followup-error").textContent = error.message;
  }
}

function showFollowupDetail(props) {
  $("detail-panel").hidden = false;
  $("detail-title").textContent = t("Follow-up {id}", { id: props.id });
  const mayAsk = (state.role === "operator" || state.role === "admin") && props.personal !== "shown";
  const contact = mayAsk
    ? `<div class="row"><button type="button" id="followup-contact-button">${esc(t("Contact for the patrol"))}</button></div>`
    : "";
  const mayRecord = mayRecordFollowups() && props.status === "open";
  $("detail-body").innerHTML = followupHtml(props) + contact + (mayRecord ? outcomeTools(props) : "");
  if (mayAsk) {
    $("followup-contact-button").addEventListener("click", async () => {
      try {
        const contact = await api(`/followups/${encodeURIComponent(props.id)}/contact`);
        $("followup-contact").innerHTML = `<dl><dt>${esc(t("Citizen"))}</dt><dd>${esc(contact.name)}</dd>
          <dt>${esc(t("Phone"))}</dt><dd>${esc(contact.phone || "–")}</dd>
          <dt>${esc(t("Patrol"))}</dt><dd>${esc(contact.patrol)}</dd></dl>`;
      } catch (error) {
        $("followup-contact").textContent = error.message;
      }
    });
  }
  if (!mayRecord) return;
  $("detail-body").querySelectorAll("button.outcome").forEach((button) =>
    button.addEventListener("click", () => {
      const patrol = $("followup-patrol").value;
      if (!patrol) {
        $("followup-error").textContent = t("Choose the patrol that made the attempt.");
        return;
      }
      const body = { patrol, outcome: button.dataset.outcome };
      if (button.dataset.left) body.left = button.dataset.left;
      recordFollowup(props, "attempts", body, (after) =>
        t("Attempt recorded for {id}: {status}", { id: after.id, status: followupStatus(after.status) }),
      );
    }),
  );
  $("detail-body").querySelectorAll("button.closing").forEach((button) =>
    button.addEventListener("click", () => {
      const status = button.dataset.status;
      let reason = "";
      if (status === "cancelled") {
        reason = (window.prompt(t("Why is the follow-up cancelled?"), "") || "").trim();
        if (!reason) return;
      }
      recordFollowup(props, "close", { status, reason }, (after) =>
        t("{id} is closed: {status}", { id: after.id, status: followupStatus(after.status) }),
      );
    }),
  );
}
