// The playground page: controls <-> state <-> URL fragment, one POST /api/fit per change, and the views.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const LR_MIN = -5, LR_MAX = 1;
  const FIELDS = { preset: "preset", optimizer: "optimizer", lr: "lr", batch: "batch", epochs: "epochs",
    momentum: "momentum", normalize: "normalize", seed: "seed", validation: "validation" };
  let presets = {}, csv = null, pending = null, asked = 0;

  // The state as strings, as the fragment holds it: #preset=boston&optimizer=rmsprop&lr=0.005&...
  function readControls() {
    const state = {};
    for (const [key, id] of Object.entries(FIELDS)) state[key] = id === "normalize" ? ($(id).checked ? "1" : "0") : $(id).value;
    if (state.preset === "csv") {
      state.target = $("csv-target").value;
      state.features = [...$("csv-features").selectedOptions].map((o) => o.value).join(",");
    }
    return state;
  }

  function writeControls(state) {
    for (const [key, id] of Object.entries(FIELDS)) {
      if (!(key in state)) continue;
      if (id === "normalize") $(id).checked = state[key] === "1"; else $(id).value = state[key];
    }
    $("lr-slider").value = String(Math.log10(Number(state.lr)) || LR_MIN);
    $("lr-slider").setAttribute("aria-valuetext", `learning rate ${state.lr}`);
    $("csv-fields").hidden = state.preset !== "csv";
    $("momentum").disabled = !["sgd", "rmsprop"].includes(state.optimizer);
    if (state.preset === "csv" && csv) chooseColumns(state.target, (state.features || "").split(","));
  }

  const presetState = (name) => {
    const p = presets[name] || presets.boston;
    return { preset: name, optimizer: p.optimizer, lr: String(p.learning_rate), batch: String(p.batch_size),
      epochs: String(p.epochs), momentum: "0", normalize: p.normalize ? "1" : "0", seed: "42", validation: String(p.validation_split) };
  };

  const toFragment = (state) => "#" + new URLSearchParams(state).toString();

  function fromFragment() {
    const params = new URLSearchParams(location.hash.slice(1));
    const name = params.get("preset") || "boston";
    const state = presetState(name === "csv" ? "boston" : name);
    state.preset = name;
    for (const [key, value] of params) state[key] = value;
    return state;
  }

  // Strings to the JSON the API checks: numbers stay numbers only when they are numbers.
  function request(state) {
    const number = (text) => (text.trim() === "" || Number.isNaN(Number(text)) ? text : Number(text));
    const body = { preset: state.preset, optimizer: state.optimizer, learning_rate: number(state.lr),
      batch_size: number(state.batch), epochs: number(state.epochs), momentum: ["sgd", "rmsprop"].includes(state.optimizer) ? number(state.momentum) : 0,
      normalize: state.normalize === "1", seed: number(state.seed), validation_split: number(state.validation) };
    if (state.preset === "csv" && csv) body.csv = { name: csv.name, text: csv.text, target: state.target, features: state.features ? state.features.split(",") : [] };
    return body;
  }

  function changed(delay) {
    const state = readControls();
    if (location.hash !== toFragment(state)) history.replaceState(null, "", toFragment(state));
    writeControls(state);
    clearTimeout(pending);
    pending = setTimeout(() => fit(state), delay);
  }

  async function fit(state) {
    if (state.preset === "csv" && !csv) { showError("Choose a CSV file (links carry the settings, not the data)."); return; }
    const ticket = ++asked;
    document.body.dataset.asked = String(ticket);
    let reply, payload;
    try {
      reply = await fetch("/api/fit", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(request(state)) });
      payload = await reply.json();
    } catch (error) {
      if (ticket === asked) showError("The playground server did not answer: is `linnet explore` still running?");
      return;
    }
    if (ticket !== asked) return;  // a newer request is on its way
    if (reply.ok) show(payload); else showError(payload.error || `The server answered ${reply.status}.`);
    document.body.dataset.ready = String(ticket);  // the number of the last request answered (tests wait on it)
  }

  function showError(message) {
    $("error").textContent = message;
    $("error").hidden = false;
    $("status").textContent = "Not run: " + message;
    $("status").className = "verdict";
  }

  function show(run) {
    $("error").hidden = true;
    $("status").textContent = run.verdict.words;
    $("status").className = "verdict " + run.verdict.kind;
    $("status").dataset.kind = run.verdict.kind;
    $("timing").textContent = `The neuron: ${run.equation}. Fit in ${run.fit_ms} ms.` + (run.notes.length ? " Warnings: " + run.notes.join(" ") : "");
    $("rule").textContent = run.rule;
    $("code").textContent = run.code;
    markLimit(run.limit, run.limit_note);
    LinnetDraw.dataView($("data-view"), run.data);
    LinnetDraw.lossView($("loss-view"), run.losses);
    LinnetDraw.landscapeView($("landscape-view"), run.landscape);
    $("data-caption").textContent = run.data.x ? "The data, the neuron's line (solid) and the least-squares line (dashed)"
      : "Each row's actual value against the neuron's prediction and least squares' (the diagonal is a perfect fit)";
    $("landscape-caption").textContent = run.data.x ? "The loss over (slope, intercept): the optimizer's path and the optimum ★"
      : "The loss over the first two slopes (the intercept at its best): the optimizer's path and the optimum ★";
  }

  function markLimit(limit, note) {
    const mark = $("limit-mark"), sgd = $("optimizer").value === "sgd";
    if (limit === null || !(limit > 0)) { mark.hidden = true; $("limit-text").textContent = ""; return; }
    const at = (Math.log10(limit) - LR_MIN) / (LR_MAX - LR_MIN);
    mark.hidden = at < 0 || at > 1;
    mark.style.left = `calc(${(100 * at).toFixed(2)}% - 1px)`;
    $("limit-text").textContent = `Stability limit ${sgd ? "of this SGD" : "of plain SGD (adaptive optimizers have none)"}: ` +
      `${Number(limit.toPrecision(4))} (red mark). ${note}`;
  }

  function readCsv(file) {
    if (!file) return;
    if (file.size > 1000000) { showError(`The CSV is too large for the playground: at most 1,000,000 characters. Received: a file of ${file.size.toLocaleString()} bytes`); return; }
    const reader = new FileReader();
    reader.onload = () => { csv = { name: file.name, text: String(reader.result) }; chooseColumns(); changed(0); };
    reader.onerror = () => showError(`Could not read ${file.name}.`);
    reader.readAsText(file);
  }

  function chooseColumns(target, features) {
    const [header, first = ""] = csv.text.split(/\r?\n/, 2);
    const delimiter = [",", ";", "\t", "|"].find((d) => header.includes(d)) || ",";
    const cells = (line) => line.split(delimiter).map((n) => n.trim().replace(/^"|"$/g, ""));
    const names = cells(header), numeric = names.filter((_, i) => cells(first)[i] !== "" && !Number.isNaN(Number(cells(first)[i])));
    const chosenTarget = names.includes(target) ? target : numeric[numeric.length - 1] || names[names.length - 1];
    const wanted = features && features.some((n) => names.includes(n)) ? features : numeric.filter((n) => n !== chosenTarget);
    $("csv-target").replaceChildren(...names.map((n) => new Option(n, n, false, n === chosenTarget)));
    $("csv-features").replaceChildren(...names.map((n) => new Option(n, n, false, wanted.includes(n) && n !== chosenTarget)));
  }

  function onPreset() {
    const name = $("preset").value;
    if (name !== "csv") writeControls(presetState(name)); else writeControls({ ...readControls(), preset: "csv" });
    changed(0);
  }

  function onSlider() {
    $("lr").value = String(Number(Math.pow(10, Number($("lr-slider").value)).toPrecision(3)));
    changed(120);
  }

  async function copyCode() {
    const text = $("code").textContent;
    try { await navigator.clipboard.writeText(text); $("copy-status").textContent = "Copied: paste it into a .py file and run it."; }
    catch (error) {
      const range = document.createRange(); range.selectNodeContents($("code"));
      getSelection().removeAllRanges(); getSelection().addRange(range);
      $("copy-status").textContent = "Selected: press Ctrl+C (or ⌘C) to copy.";
    }
  }

  async function start() {
    presets = await (await fetch("/api/presets")).json();
    writeControls(fromFragment());
    $("preset").addEventListener("change", onPreset);
    $("lr-slider").addEventListener("input", onSlider);
    for (const id of ["lr", "optimizer", "batch", "epochs", "momentum", "normalize", "seed", "validation", "csv-target", "csv-features"]) $(id).addEventListener("change", () => changed(0));
    $("csv-file").addEventListener("change", (e) => readCsv(e.target.files[0]));
    $("controls").addEventListener("submit", (e) => { e.preventDefault(); changed(0); });
    $("copy").addEventListener("click", copyCode);
    window.addEventListener("hashchange", () => { if (location.hash !== toFragment(readControls())) { writeControls(fromFragment()); changed(0); } });
    changed(0);
  }

  start().catch(() => showError("The page could not load its presets from the playground server."));
})();
