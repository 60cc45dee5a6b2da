/* nianbao explorer: the page behaviour (charts through the vendored Chart.js, provenance dialog,
   rankings, search). Plain script, no modules and no fetch, so it runs from file:// as from a host. */
"use strict";
(function () {
  const NB = (window.NB = {});
  const $ = (sel, el) => (el || document).querySelector(sel);
  const root = () => document.body.dataset.root || "";
  const data = () => JSON.parse($("#nb-data").textContent);
  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c);
    return e;
  };
  const UNRESOLVED = "地区未能确定 region unresolved";  // an agency whose region is not known
  const pct = (v) => (v == null ? "—" : (100 * v).toFixed(1) + "%");
  // a count as the integer it is ("1191", never "1191.0"); other numbers to 15 significant digits
  const num = (v) => (v == null ? "—" : Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(15))));

  /* One chart as described by the page (warehouse/site/charts.py): each series carries its label,
     formula and colour (distinct within its chart). */
  function drawChart(spec) {
    const canvas = document.getElementById(spec.id);
    if (!canvas || !window.Chart) return null;
    const ratio = spec.ratio;
    const datasets = spec.datasets.map((s) => Object.assign({}, s, {
      backgroundColor: s.colour, borderColor: s.colour, pointBackgroundColor: s.colour, spanGaps: false,
    }));
    return new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets },
      options: {
        animation: false,
        responsive: true,
        plugins: {
          title: { display: true, text: spec.title },
          legend: { labels: { boxWidth: 12, font: { size: 11 } } },  // 12 series in the 复议/诉讼 chart
          tooltip: {
            callbacks: {
              label: (ctx) => `${ctx.dataset.label}: ${ratio ? pct(ctx.raw) : num(ctx.raw)}`,
              footer: (items) => (items.length && items[0].dataset.formula ? "= " + items[0].dataset.formula : ""),
            },
          },
        },
        scales: Object.assign({ y: { beginAtZero: true, ticks: ratio ? { callback: (v) => pct(v) } : {} } },
          spec.stacked ? { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } : {}),
      },
    });
  }

  /* ---- agency profile ------------------------------------------------------------------------ */
  NB.agencyPage = function () {
    const d = data();
    d.charts.forEach(drawChart);
    // every value cell of the page by report and key (cells carry no attributes: see keyOf)
    const cellsByKey = new Map();
    document.querySelectorAll("table.t td").forEach((td) => cellsByKey.set(`${td.closest("table").dataset.r} ${keyOf(td)}`, td));
    const tdOf = (rid, key) => cellsByKey.get(`${rid} ${key}`);
    document.addEventListener("click", (ev) => {
      const cellref = ev.target.closest("a.cellref");
      const td = cellref ? tdOf(cellref.dataset.r, cellref.dataset.k) : ev.target.closest("table.t td");
      if (!td && !cellref) return;
      ev.preventDefault();
      if (td) showProvenance(d, td.closest("table").dataset.r, keyOf(td), td, tdOf);
      else showProvenance(d, cellref.dataset.r, cellref.dataset.k, null, tdOf);
    });
  };

  /* The format's key of a value cell: <row code>|<column code> (table 4: 4|<proceeding>.<outcome>). */
  function keyOf(td) {
    const tr = td.parentElement;
    const col = headerOf(tr).dataset.cols.split(",")[td.cellIndex - 1];
    return td.closest("table").dataset.table === "T4" ? `4|${col}.${tr.dataset.c}` : `${tr.dataset.c}|${col}`;
  }
  function headerOf(tr) {
    let h = tr.previousElementSibling;
    while (h && !h.classList.contains("hdr")) h = h.previousElementSibling;
    return h;
  }

  function showProvenance(d, rid, key, td, tdOf) {
    const report = d.reports[rid];
    const body = $("#prov-body");
    body.replaceChildren();
    const entry = report && report.cells[key];
    const rowLabel = td ? td.parentElement.cells[0].textContent : "";
    const colLabel = td ? headerOf(td.parentElement).cells[td.cellIndex].textContent : "";
    document.querySelectorAll("td.focus").forEach((x) => x.classList.remove("focus"));
    if (td) td.classList.add("focus");
    const head = el("div", { class: "prov-head" });
    head.append(el("h3", { text: td ? `${rowLabel} · ${colLabel}` : key }), el("p", { class: "meta" },
      el("code", { text: key }), " · report ", el("code", { text: rid }), report ? ` · ${report.media}` : ""));
    body.append(head);
    if (!entry || !td) {
      head.append(el("p", { class: "warn", text: "This cell was not read from the report (nothing printed was placed here)." }));
      $("#prov").showModal();
      return;
    }
    const raw = td.textContent;
    const [gi, gr, gc, fileIdx, x0, y0, x1, y1, conf] = entry;
    head.append(el("p", { class: "printed" }, "printed token: ",
      el("span", { class: "token", id: "prov-token", text: raw === "" ? "(blank)" : raw }),
      conf != null ? ` · OCR confidence ${conf}` : ""));
    const file = fileIdx != null ? report.files[fileIdx] : null;
    if (file && file[1]) {
      const bbox = [x0, y0, x1, y1];
      const scale = file[0] === "p" ? report.scale : 1;
      const wrap = el("div", { class: "pageimg", id: "prov-page" });
      const img = el("img", { src: root() + file[1], alt: `page ${file[2]}` });
      const box = el("div", { class: "box", id: "prov-box" });
      box.dataset.bbox = JSON.stringify(bbox);
      box.dataset.scale = String(scale);
      img.addEventListener("load", () => {
        const W = img.naturalWidth, H = img.naturalHeight;
        box.style.left = (100 * x0 * scale) / W + "%";
        box.style.top = (100 * y0 * scale) / H + "%";
        box.style.width = (100 * (x1 - x0) * scale) / W + "%";
        box.style.height = (100 * (y1 - y0) * scale) / H + "%";
        box.dataset.ready = "1";
        box.scrollIntoView({ block: "center" });
      });
      wrap.append(img, box);
      head.append(el("p", { class: "meta", text: file[0] === "p"
        ? `PDF page ${file[2]}, box [${bbox.join(", ")}] (points)`
        : `picture ${file[2]}, box [${bbox.join(", ")}] (pixels)` }));
      body.append(wrap);
    } else {
      body.append(gridView(report, rid, key, [gi, gr, gc], tdOf));
    }
    $("#prov").showModal();
  }

  /* The source table as read (HTML, Word, text): every cell of the same grid at its printed row and
     column, the clicked one marked; columns holding no number are left out, the row's label is the
     format's. */
  function gridView(report, rid, key, grid, tdOf) {
    const [gi, gr, gc] = grid;
    if (gi == null) return el("p", { class: "warn", text: "No position was recorded for this cell." });
    const cells = Object.entries(report.cells).filter(([, e]) => e[0] === gi);
    const rows = [...new Set(cells.map(([, e]) => e[1]))].sort((a, b) => a - b);
    const cols = [...new Set(cells.map(([, e]) => e[2]))].sort((a, b) => a - b);
    const table = el("table", { class: "grid", id: "prov-grid" });
    table.append(el("caption", { text: `table ${gi + 1} of the document, row ${gr + 1}, column ${gc + 1}` }));
    for (const r of rows) {
      const tr = el("tr", { class: r === gr ? "row-mark" : "" });
      const inRow = cells.filter(([, e]) => e[1] === r);
      const first = tdOf(rid, inRow[0][0]);
      tr.append(el("th", { text: `${r + 1}` }), el("th", { class: "lbl", text: first ? first.parentElement.cells[0].textContent : "" }));
      for (const c of cols) {
        const hit = inRow.find(([, e]) => e[2] === c);
        const src = hit ? tdOf(rid, hit[0]) : null;
        tr.append(el("td", { class: hit && hit[0] === key ? "mark" : "", text: src ? src.textContent : "" }));
      }
      table.append(tr);
    }
    return el("div", { class: "gridwrap" }, table);
  }

  /* ---- overview ------------------------------------------------------------------------------ */
  NB.overviewPage = function () {
    data().charts.forEach(drawChart);
  };

  /* ---- rankings ------------------------------------------------------------------------------ */
  NB.rankingsPage = function () {
    const meta = window.NB_RANKINGS, agencies = window.NB_AGENCIES;
    const form = $("#rank-form");
    const params = new URLSearchParams(location.search);
    const opt = (sel, value, text) => sel.append(el("option", { value, text }));
    for (const [code, label] of meta.metrics) opt(form.metric, code, label);
    const distinct = (i) => [...new Set(agencies.map((a) => a[i]).filter((v) => v))].sort();
    distinct(3).forEach((v) => opt(form.level, v, v));
    distinct(4).forEach((v) => opt(form.kind, v, v));
    distinct(5).forEach((v) => opt(form.province, v, v));
    for (const f of ["metric", "level", "kind", "province"]) if (params.get(f)) form[f].value = params.get(f);
    const shards = {};
    window.NB_RANK = (metric, year, rows) => { shards[`${metric}/${year}`] = rows; };
    function years() {
      const ys = meta.years[form.metric.value] || [];
      const keep = params.get("year") || form.year.value;
      form.year.replaceChildren();
      ys.slice().reverse().forEach((y) => opt(form.year, String(y), String(y)));
      if (ys.map(String).includes(keep)) form.year.value = keep;
    }
    function load(then) {
      const id = `${form.metric.value}/${form.year.value}`;
      if (shards[id]) return then(shards[id]);
      const s = el("script", { src: `data/rank/${id}.js` });
      s.onload = () => then(shards[id] || []);
      document.body.append(s);
    }
    function draw() {
      const m = meta.metrics.find((x) => x[0] === form.metric.value);
      $("#rank-formula").textContent = `${m[1]} = ${m[3]}`;
      load((rows) => {
        const tbody = $("#ranking tbody");
        tbody.replaceChildren();
        // standard competition ranking among the agencies shown: equal values share a rank, the next
        // value takes its position (1, 1, 3)
        let shown = 0, rank = 0, previous = null;
        for (const [idx, status, value] of rows) {
          const a = agencies[idx];
          if ((form.level.value && a[3] !== form.level.value) || (form.kind.value && a[4] !== form.kind.value) ||
              (form.province.value && a[5] !== form.province.value)) continue;
          const ranked = value != null;
          if (ranked) {
            shown += 1;
            if (value !== previous) rank = shown;
            previous = value;
          }
          const tr = el("tr", { class: `st-${status}${ranked ? "" : " unranked"}`, "data-key": a[0] });
          tr.append(el("td", { text: ranked ? String(rank) : "" }),
            el("td", {}, el("a", { href: `${a[2]}#y${form.year.value}`, text: a[1] })),
            el("td", { class: "v", text: ranked ? (m[2] === "ratio" ? pct(value) : String(value)) :
              (status === "parsed" || status === "invalid" ? "— blank cell" : "—") }),
            el("td", {}, el("span", { class: `badge ${status}`, text: meta.status[status] || status })),
            el("td", { text: a[3] || "" }), el("td", { text: a[4] || "" }), el("td", { text: a[5] || (a[10] ? UNRESOLVED : "") }));
          tbody.append(tr);
        }
        document.body.dataset.ranking = `${form.metric.value}/${form.year.value}`;
      });
    }
    form.metric.addEventListener("change", () => { params.delete("year"); years(); draw(); });
    for (const f of ["year", "level", "kind", "province"]) form[f].addEventListener("change", draw);
    years();
    draw();
  };

  /* ---- search -------------------------------------------------------------------------------- */
  NB.searchPage = function () {
    const input = $("#q");
    const agencies = window.NB_AGENCIES;
    input.value = new URLSearchParams(location.search).get("q") || "";
    function run() {
      const q = input.value.trim();
      const list = $("#results");
      list.replaceChildren();
      if (!q) { $("#search-count").textContent = `${agencies.length} agencies`; return; }
      // a[9]: every name in simplified and traditional characters (pages.py search_data)
      const hits = agencies.filter((a) => a[0].includes(q) || a[9].some((n) => n.includes(q)));
      $("#search-count").textContent = `${hits.length} of ${agencies.length} agencies`;
      for (const a of hits.slice(0, 500)) {
        const also = a[8].filter((n) => n !== a[1]);
        list.append(el("li", {}, el("a", { href: a[2], text: a[1] }),
          el("span", { class: "meta", text: ` ${[a[5] || (a[10] ? UNRESOLVED : ""), a[3], a[4]].filter(Boolean).join(" · ")}${also.length ? " · printed as " + also.join("、") : ""}` })));
      }
    }
    input.addEventListener("input", run);
    run();
  };
})();
