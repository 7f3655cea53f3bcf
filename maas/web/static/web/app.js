// The resident page: sign in, pick origin/destination, plan, see itineraries on the map, book, see bookings/permits.
// Plain JavaScript over the project's own API (/api/v1/); the map is Leaflet, vendored by the install step.
"use strict";
(function () {
  const ui = JSON.parse(document.getElementById("ui-strings").textContent);
  const LANG = window.MAAS_LANGUAGE || "fi";
  const MODES = ["walk", "transit", "city_bike", "scooter", "bike", "car"];
  const DEFAULT_MODES = ["walk", "transit", "city_bike"];
  const COLORS = {walk: "#555", bike: "#2a9d8f", city_bike: "#f4a100", scooter: "#8e44ad", car: "#444",
                  tram: "#00985f", metro: "#ff6319", bus: "#007ac9", rail: "#8c4799", ferry: "#00b9e4",
                  taxi: "#222"};
  const $ = (id) => document.getElementById(id);
  const state = {token: sessionStorage.getItem("maas.access"), from: null, to: null, itineraries: [],
                 selected: 0};

  // --- API -----------------------------------------------------------------------------------------------
  async function api(method, path, body, headers) {
    const h = Object.assign({"Accept": "application/json", "Accept-Language": LANG}, headers || {});
    if (body !== undefined) h["Content-Type"] = "application/json";
    if (state.token) h["Authorization"] = "Bearer " + state.token;
    const response = await fetch("/api/v1/" + path, {method, headers: h,
                                                       body: body === undefined ? undefined : JSON.stringify(body)});
    const data = (response.headers.get("Content-Type") || "").startsWith("application/json") ? await response.json() : null;
    if (response.status === 401 && state.token) signOut();
    return {ok: response.ok, status: response.status, data};
  }
  const errorText = (r) => (r.data && r.data.error ? r.data.error.message : ui.error + " " + r.status);

  // --- Map ------------------------------------------------------------------------------------------------
  const map = L.map("map").setView([60.1800, 24.9550], 14);  // SVG: legs are DOM paths (class "leg")
  window.maasMap = map;
  map.attributionControl.addAttribution("© OpenStreetMap contributors (ODbL), © HSL (CC BY 4.0)");
  const routeLayer = L.layerGroup().addTo(map);
  const pointLayer = L.layerGroup().addTo(map);
  fetch("/api/v1/map/streets").then((r) => r.ok ? r.json() : null).then((streets) => {
    if (!streets) return;
    L.geoJSON(streets, {interactive: false, renderer: L.canvas(), style: (f) => f.properties["class"] === "major"
      ? {color: "#b9b2a6", weight: 3} : {color: "#d8d3ca", weight: 1.5}}).addTo(map).bringToBack();
    document.body.dataset.streets = String(streets.features.length);
  });

  function setPoint(which, point) {
    state[which] = point;
    $(which + "-label").value = point.name || (point.lat.toFixed(5) + ", " + point.lon.toFixed(5));
    drawPoints();
  }
  function drawPoints() {
    pointLayer.clearLayers();
    for (const [which, color] of [["from", "#1b7f3b"], ["to", "#b3261e"]]) {
      const p = state[which];
      if (p) L.circleMarker([p.lat, p.lon], {radius: 8, color, fillOpacity: 0.9}).bindTooltip(ui[which])
        .addTo(pointLayer);
    }
  }
  map.on("click", (e) => {
    const point = {lat: +e.latlng.lat.toFixed(6), lon: +e.latlng.lng.toFixed(6)};
    setPoint(!state.from || state.to ? "from" : "to", point);
    if (state.to && point === state.from) { state.to = null; $("to-label").value = ""; drawPoints(); }
  });

  // --- Stop search ----------------------------------------------------------------------------------------
  let searchTimer = null;
  $("stop-search").addEventListener("input", () => {
    clearTimeout(searchTimer);
    const q = $("stop-search").value.trim();
    searchTimer = setTimeout(() => searchStops(q), 250);
  });
  async function searchStops(q) {
    const list = $("stop-results");
    list.replaceChildren();
    if (q.length < 2) return;
    const r = await api("GET", "stops?q=" + encodeURIComponent(q));
    if (!r.ok) { list.append(li(r.status === 404 ? ui.no_stop_search : errorText(r))); return; }
    const stops = Array.isArray(r.data) ? r.data : (r.data.stops || r.data.results || []);
    for (const stop of stops.slice(0, 8)) {
      const item = li(stop.name + (stop.code ? " (" + stop.code + ")" : ""));
      for (const which of ["from", "to"]) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = ui[which];
        button.addEventListener("click", () => {
          setPoint(which, {lat: stop.lat, lon: stop.lon, name: stop.name});
          map.panTo([stop.lat, stop.lon]);
        });
        item.append(" ", button);
      }
      list.append(item);
    }
  }

  // --- Modes, time, plan ----------------------------------------------------------------------------------
  for (const mode of MODES) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    Object.assign(box, {type: "checkbox", value: mode, checked: DEFAULT_MODES.includes(mode)});
    box.dataset.mode = mode;
    label.append(box, " " + ui[mode]);
    $("modes").append(label);
  }
  $("plan-button").addEventListener("click", plan);

  async function plan() {
    $("plan-error").hidden = true;
    if (!state.token) return showPlanError(ui.need_sign_in);
    if (!state.from || !state.to) return showPlanError(ui.pick_hint);
    const modes = [...document.querySelectorAll("#modes input:checked")].map((b) => b.value);
    const body = {from: {lat: state.from.lat, lon: state.from.lon}, to: {lat: state.to.lat, lon: state.to.lon},
                  modes, language: LANG};
    if ($("departure").value) body.departure = $("departure").value;
    $("plan-button").disabled = true;
    const r = await api("POST", "plans", body);
    $("plan-button").disabled = false;
    if (!r.ok) return showPlanError(errorText(r));
    state.itineraries = r.data.itineraries;
    state.selected = 0;
    renderItineraries();
  }
  function showPlanError(text) { $("plan-error").textContent = text; $("plan-error").hidden = false; }

  const hhmm = (iso) => iso.slice(11, 16);
  const euros = (cents) => (cents / 100).toLocaleString(LANG, {style: "currency", currency: "EUR"});
  function li(text) { const item = document.createElement("li"); item.textContent = text; return item; }

  function alertsOf(itinerary) {
    const all = [...(itinerary.alerts || [])];
    for (const leg of itinerary.legs) all.push(...(leg.alerts || []));
    return all.map((a) => (typeof a === "string" ? a : a.header || a.text || a.description || ""))
      .filter(Boolean);
  }

  function renderItineraries() {
    const list = $("itineraries");
    list.replaceChildren();
    if (!state.itineraries.length) list.append(li(ui.no_itineraries));
    state.itineraries.forEach((it, index) => {
      const item = document.createElement("li");
      item.className = "itinerary" + (index === state.selected ? " selected" : "");
      item.dataset.index = String(index);
      const head = document.createElement("div");
      head.className = "head";
      const minutes = Math.round(it.duration_s / 60);
      head.textContent = hhmm(it.start_time) + "–" + hhmm(it.end_time) + " · " + minutes + " " + ui.min
        + " · " + it.transfers + " " + ui.transfers;
      const modes = document.createElement("div");
      modes.className = "modes";
      for (const leg of it.legs) {
        const chip = document.createElement("span");
        chip.className = "chip";
        chip.style.background = COLORS[leg.mode] || "#666";
        chip.textContent = (ui[leg.mode] || leg.mode) + (leg.route_short_name ? " " + leg.route_short_name : "");
        modes.append(chip);
      }
      const facts = document.createElement("div");
      facts.className = "facts";
      const price = it.price || {};
      facts.append(span("price", ui.price + ": " + (price.label || (price.total_cents != null
        ? euros(price.total_cents) : "–"))), span("co2", " · " + ui.co2 + " " + it.co2_g + " g"));
      item.append(head, modes, facts);
      const alerts = alertsOf(it);
      if (alerts.length) {
        const box = document.createElement("ul");
        box.className = "alerts";
        box.setAttribute("aria-label", ui.alerts);
        alerts.forEach((text) => box.append(li("⚠ " + text)));
        item.append(box);
      }
      it.legs.forEach((leg, legIndex) => {
        if (!leg.booking) return;
        const button = document.createElement("button");
        button.type = "button";
        button.className = "book";
        button.dataset.mode = leg.mode;
        button.textContent = ui.book + " " + (ui[leg.mode] || leg.mode) + " " + leg.from.name + " → "
          + leg.to.name;
        button.addEventListener("click", (e) => { e.stopPropagation(); book(it, legIndex, button); });
        item.append(button);
      });
      item.addEventListener("click", () => { state.selected = index; renderItineraries(); });
      list.append(item);
    });
    drawItinerary(state.itineraries[state.selected]);
  }
  function span(cls, text) { const s = document.createElement("span"); s.className = cls; s.textContent = text; return s; }

  function drawItinerary(it) {
    routeLayer.clearLayers();
    document.body.dataset.legsDrawn = "0";
    if (!it) return;
    const bounds = [];
    for (const leg of it.legs) {
      const coords = leg.geometry && leg.geometry.coordinates && leg.geometry.coordinates.length >= 2
        ? leg.geometry.coordinates.map(([lon, lat]) => [lat, lon])
        : [[leg.from.lat, leg.from.lon], [leg.to.lat, leg.to.lon]];
      L.polyline(coords, {color: COLORS[leg.mode] || "#666", weight: leg.transit ? 6 : 4,
                          dashArray: leg.mode === "walk" ? "4 6" : null, className: "leg leg-" + leg.mode})
        .bindTooltip((ui[leg.mode] || leg.mode) + " " + hhmm(leg.start_time) + "–" + hhmm(leg.end_time))
        .addTo(routeLayer);
      bounds.push(...coords);
    }
    document.body.dataset.legsDrawn = String(it.legs.length);
    if (bounds.length) map.fitBounds(bounds, {padding: [30, 30]});
  }

  async function book(itinerary, legIndex, button) {
    button.disabled = true;
    const key = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
    const r = await api("POST", "bookings", {leg: itinerary.legs[legIndex]}, {"Idempotency-Key": key});
    if (!r.ok) { button.disabled = false; return showPlanError(errorText(r)); }
    button.textContent = ui.booked + " · " + r.data.state;
    button.classList.add("done");
    loadBookings();
  }

  // --- Bookings and permits ------------------------------------------------------------------------------
  async function loadBookings() {
    const r = await api("GET", "bookings");
    const list = $("bookings");
    list.replaceChildren();
    const rows = r.ok ? (Array.isArray(r.data) ? r.data : r.data.results || []) : [];
    if (!rows.length) list.append(li(ui.none));
    for (const b of rows) {
      const item = li("#" + b.id + " " + (ui[b.mode] || b.mode) + " · " + b.state
        + (b.leg && b.leg.from ? " · " + b.leg.from.name + " → " + b.leg.to.name : ""));
      item.dataset.state = b.state;
      list.append(item);
    }
  }
  async function loadPermits() {
    const r = await api("GET", "parking/permits");
    const list = $("permits");
    list.replaceChildren();
    const rows = r.ok ? r.data : [];
    if (!rows.length) list.append(li(ui.none));
    for (const p of rows) list.append(li(p.area + " · " + p.plate + " · " + p.status
      + (p.valid_from ? " · " + p.valid_from : "")));
  }

  // --- Sign in --------------------------------------------------------------------------------------------
  $("login-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    $("login-error").hidden = true;
    const r = await api("POST", "auth/token", {email: $("login-email").value, password: $("login-password").value});
    if (!r.ok) { $("login-error").hidden = false; return; }
    state.token = r.data.access;
    sessionStorage.setItem("maas.access", state.token);
    signedIn();
  });
  $("logout").addEventListener("click", signOut);
  function signOut() {
    state.token = null;
    sessionStorage.removeItem("maas.access");
    $("login-form").hidden = false;
    $("whoami").hidden = true;
    for (const id of ["bookings", "permits"]) $(id).replaceChildren();
  }
  async function signedIn() {
    const r = await api("GET", "me");
    if (!r.ok) return;
    $("whoami-email").textContent = r.data.email;
    $("login-form").hidden = true;
    $("whoami").hidden = false;
    loadBookings();
    loadPermits();
  }
  if (state.token) signedIn();
})();
