// Drawing the playground's three views on <canvas> from the numbers /api/fit returns. No libraries.
"use strict";
const LinnetDraw = (() => {
  const COLORS = { neuron: "#1f6fd1", exact: "#1a8a4a", points: "#7d8597", validation: "#e08a1e", path: "#d63b2f" };
  const PAD = { left: 62, right: 14, top: 26, bottom: 42 };

  const isNum = (v) => typeof v === "number" && Number.isFinite(v);

  function niceTicks(low, high, count) {
    const span = high - low || 1;
    const raw = span / count, power = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) || raw;
    const ticks = [];
    for (let t = Math.ceil(low / step) * step; t <= high + 1e-9 * span; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
    return ticks;
  }

  const label = (v) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(+v.toPrecision(4)));

  // A frame: data ranges to pixels, with axes, ticks, titles; log: the y axis is log10 of the values.
  function frame(canvas, xRange, yRange, titles, log) {
    canvas.width = canvas.width;  // clears the canvas and resets its context, the last frame's clip included
    const ctx = canvas.getContext("2d");
    canvas.setAttribute("aria-label", `${titles.x} against ${titles.y}: ${canvas.dataset.what}`);
    const w = canvas.width - PAD.left - PAD.right, h = canvas.height - PAD.top - PAD.bottom;
    const [x0, x1] = widen(xRange), [y0, y1] = widen(yRange);
    const f = {
      ctx, w, h,
      x: (v) => PAD.left + ((v - x0) / (x1 - x0)) * w,
      y: (v) => PAD.top + h - (((log ? Math.log10(v) : v) - y0) / (y1 - y0)) * h,
    };
    ctx.strokeStyle = "#c3c8d2"; ctx.fillStyle = "#444"; ctx.font = "12px system-ui, sans-serif"; ctx.lineWidth = 1;
    ctx.strokeRect(PAD.left, PAD.top, w, h);
    ctx.textAlign = "center";
    for (const t of niceTicks(x0, x1, 6)) { const px = f.x(t); ctx.fillText(label(t), px, PAD.top + h + 15); tick(ctx, px, PAD.top + h, px, PAD.top + h + 4); }
    ctx.textAlign = "right";
    for (const t of log ? logTicks(y0, y1) : niceTicks(y0, y1, 6)) {
      const py = PAD.top + h - ((t - y0) / (y1 - y0)) * h;
      ctx.fillText(log ? label(Math.pow(10, t)) : label(t), PAD.left - 6, py + 4); tick(ctx, PAD.left - 4, py, PAD.left, py);
    }
    ctx.textAlign = "center";
    ctx.fillText(titles.x, PAD.left + w / 2, canvas.height - 8);
    ctx.save(); ctx.translate(14, PAD.top + h / 2); ctx.rotate(-Math.PI / 2); ctx.fillText(titles.y, 0, 0); ctx.restore();
    ctx.save(); ctx.beginPath(); ctx.rect(PAD.left, PAD.top, w, h); ctx.clip();  // legend() lifts the clip
    return f;
  }

  function widen([low, high]) {
    if (!isNum(low) || !isNum(high)) return [0, 1];
    if (high - low > 0) return [low - 0.03 * (high - low), high + 0.03 * (high - low)];
    const pad = Math.abs(low) * 0.1 || 1;
    return [low - pad, high + pad];
  }

  function logTicks(low, high) {
    const every = Math.max(1, Math.ceil((Math.floor(high) - Math.ceil(low)) / 6)), out = [];
    for (let p = Math.ceil(low); p <= Math.floor(high); p += every) out.push(p);
    return out.length > 1 ? out : niceTicks(low, high, 4);
  }

  function tick(ctx, ax, ay, bx, by) { ctx.beginPath(); ctx.moveTo(ax, ay); ctx.lineTo(bx, by); ctx.stroke(); }

  function polyline(f, xs, ys, color, dash, width) {
    const { ctx } = f;
    ctx.save(); ctx.strokeStyle = color; ctx.lineWidth = width || 2; ctx.setLineDash(dash || []);
    ctx.beginPath();
    let pen = false;
    xs.forEach((x, i) => {
      const y = ys[i];
      if (!isNum(x) || !isNum(y)) { pen = false; return; }
      const px = clampPx(f.x(x)), py = clampPx(f.y(y));
      if (pen) ctx.lineTo(px, py); else ctx.moveTo(px, py);
      pen = true;
    });
    ctx.stroke(); ctx.restore();
  }

  const clampPx = (v) => Math.max(-1e5, Math.min(1e5, v));

  function dots(f, xs, ys, color, radius) {
    const { ctx } = f;
    ctx.fillStyle = color;
    xs.forEach((x, i) => { if (isNum(x) && isNum(ys[i])) { ctx.beginPath(); ctx.arc(f.x(x), f.y(ys[i]), radius || 2.5, 0, 2 * Math.PI); ctx.fill(); } });
  }

  function legend(canvas, items) {
    const ctx = canvas.getContext("2d");
    ctx.restore();  // the frame's clip: the legend sits above the plot
    ctx.save(); ctx.font = "12px system-ui, sans-serif"; ctx.textAlign = "left";
    let x = PAD.left;
    for (const [text, color, dashed] of items) {
      ctx.strokeStyle = color; ctx.lineWidth = 2; ctx.setLineDash(dashed ? [6, 4] : []);
      tick(ctx, x, 14, x + 18, 14); ctx.fillStyle = "#333"; ctx.fillText(text, x + 22, 18);
      x += 30 + ctx.measureText(text).width;
    }
    ctx.restore();
  }

  const range = (values) => { const v = values.filter(isNum); return v.length ? [Math.min(...v), Math.max(...v)] : [0, 1]; };

  function dataView(canvas, data) {
    const train = (i) => i * data.every < data.n_train;
    if (data.x) {
      const f = frame(canvas, range(data.x), range(data.y.concat(data.least_squares)),
        { x: data.feature_names[0], y: data.target_name });
      dots(f, data.x.filter((_, i) => train(i)), data.y.filter((_, i) => train(i)), COLORS.points);
      dots(f, data.x.filter((_, i) => !train(i)), data.y.filter((_, i) => !train(i)), COLORS.validation);
      polyline(f, data.ends, data.least_squares, COLORS.exact, [6, 4]);
      polyline(f, data.ends, data.neuron, COLORS.neuron);
    } else {
      const span = range(data.y.concat(data.least_squares));
      const f = frame(canvas, span, span, { x: "prediction", y: "actual " + data.target_name });
      dots(f, data.least_squares, data.y, COLORS.exact, 2);
      dots(f, data.neuron, data.y, COLORS.neuron, 2);
      polyline(f, span, span, "#999", [3, 3], 1);
    }
    legend(canvas, [["neuron", COLORS.neuron], ["least squares", COLORS.exact, true]].concat(data.n_train < data.n_rows ? [["validation rows", COLORS.validation]] : []));
  }

  function lossView(canvas, losses) {
    const all = losses.loss.concat(losses.val_loss, [losses.least_squares]).filter((v) => isNum(v) && v > 0);
    const [low, high] = all.length ? range(all) : [1e-3, 1];
    const floor = Math.log10(low) - 0.2, top = Math.log10(high) + 0.2;
    const epochs = losses.loss.map((_, i) => i + 1);
    const f = frame(canvas, [1, Math.max(2, epochs.length)], [floor, top], { x: "epoch", y: "loss (MSE)" }, true);
    const positive = (v) => (isNum(v) && v > 0 ? v : isNum(v) ? Math.pow(10, floor) : null);
    polyline(f, [1, Math.max(2, epochs.length)], [1, 1].map(() => positive(losses.least_squares)), COLORS.exact, [6, 4]);
    polyline(f, epochs, losses.loss.map(positive), COLORS.neuron);
    if (losses.val_loss.length) polyline(f, epochs, losses.val_loss.map(positive), COLORS.validation);
    legend(canvas, [["loss", COLORS.neuron], ["least squares", COLORS.exact, true]].concat(losses.val_loss.length ? [["validation", COLORS.validation]] : []));
  }

  // Bands of log10(gap): contour-like shading from the optimum (dark) outward (light).
  function landscapeView(canvas, land) {
    const f = frame(canvas, [land.u[0], land.u[land.u.length - 1]], [land.v[0], land.v[land.v.length - 1]], { x: land.axes[0], y: land.axes[1] });
    const logs = land.gap.flat().map((g) => Math.log10(Math.max(g, 1e-12)));
    const lo = Math.min(...logs), hi = Math.max(...logs), bands = 14;
    const du = (land.u[1] - land.u[0]) / 2, dv = (land.v[1] - land.v[0]) / 2;
    land.gap.forEach((row, j) => row.forEach((g, i) => {
      const level = Math.floor(((Math.log10(Math.max(g, 1e-12)) - lo) / (hi - lo || 1)) * bands) / bands;
      f.ctx.fillStyle = shade(level);
      const x = f.x(land.u[i] - du), y = f.y(land.v[j] + dv);
      f.ctx.fillRect(x, y, f.x(land.u[i] + du) - x + 0.5, f.y(land.v[j] - dv) - y + 0.5);
    }));
    const path = land.path.filter((p) => p.every(isNum));
    polyline(f, path.map((p) => p[0]), path.map((p) => p[1]), COLORS.path, [], 1.6);
    if (path.length) dots(f, [path[0][0]], [path[0][1]], COLORS.path, 4);
    star(f, land.optimum[0], land.optimum[1]);
    legend(canvas, [["path", COLORS.path], ["optimum ★", "#111"]]);
  }

  function shade(level) {
    const stops = [[38, 24, 92], [43, 103, 160], [62, 168, 160], [168, 214, 120], [246, 240, 190]];
    const t = Math.max(0, Math.min(1, level)) * (stops.length - 1), k = Math.min(stops.length - 2, Math.floor(t)), r = t - k;
    const c = stops[k].map((a, i) => Math.round(a + (stops[k + 1][i] - a) * r));
    return `rgb(${c[0]},${c[1]},${c[2]})`;
  }

  function star(f, u, v) {
    const { ctx } = f, x = f.x(u), y = f.y(v);
    ctx.save(); ctx.fillStyle = "#fff"; ctx.strokeStyle = "#111"; ctx.lineWidth = 1.2; ctx.beginPath();
    for (let k = 0; k < 10; k++) { const r = k % 2 ? 3.5 : 9, a = -Math.PI / 2 + (k * Math.PI) / 5; ctx.lineTo(x + r * Math.cos(a), y + r * Math.sin(a)); }
    ctx.closePath(); ctx.fill(); ctx.stroke(); ctx.restore();
  }

  return { dataView, lossView, landscapeView };
})();
