// The dashboard page: every view is drawn from its JSON API (the same data scripts read), and
// refreshed every few seconds. No framework and no build step: this file is served as it is.
"use strict";

const REFRESH_MS = 5000;
const table = { sort: "project", order: "asc", page: 1, size: 25 };

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

async function api(path) {
  const r = await fetch("api/" + path, { cache: "no-store" });
  if (!r.ok) throw new Error(path + ": HTTP " + r.status);
  return r.json();
}

function time(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  // UTC, as the API has it: the headers say so
  return isNaN(d) ? iso : d.toISOString().replace("T", " ").replace(/(\.\d+)?Z$/, "");
}

function bar(b) {
  const pct = b.limit === null ? 0 : b.limit === 0 ? (b.used > 0 ? 100 : 0) : Math.min(100, (100 * b.used) / b.limit);
  const row = el("div", { class: "bar" + (pct >= 100 ? " full" : ""), "data-resource": b.resource },
    el("span", {}, b.resource),
    el("div", { class: "track", title: pct.toFixed(0) + "%" }, el("div", { class: "fill", style: "width:" + pct + "%" })),
    el("span", { class: "amount" }, b.usedText + " / " + b.limitText));
  return row;
}

function scope(title, bars, id) {
  return el("div", { class: "scope", "data-scope": id }, el("h3", {}, title), ...bars.map(bar));
}

function fill(tbody, rows, empty, columns) {
  tbody.replaceChildren();
  if (rows.length === 0) {
    tbody.append(el("tr", {}, el("td", { class: "empty", colspan: String(columns) }, empty)));
  }
  for (const r of rows) tbody.append(r);
}

async function overview() {
  const o = await api("overview");
  document.getElementById("fig-running").textContent = o.running;
  document.getElementById("fig-waiting").textContent = o.waiting;
  document.getElementById("fig-rejections").textContent = o.rejectionsLastHour;
  const cluster = document.getElementById("cluster-bars");
  cluster.replaceChildren(...(o.clusterQuotaEnabled ? o.cluster.map(bar) : [el("p", { class: "empty" }, "off (clusterQuota.enabled: false)")]));
  document.getElementById("group-bars").replaceChildren(...o.nodeGroups.map(g => scope("Node group " + g.name, g.bars, "group/" + g.name)));
  document.getElementById("namespace-bars").replaceChildren(...o.namespaces.map(n => scope("Namespace quota " + n.name, n.bars, "namespace/" + n.name)));
  document.getElementById("updated").textContent = "as of " + time(o.now) + " UTC";
}

async function running() {
  const p = await api(`running?sort=${table.sort}&order=${table.order}&page=${table.page}&size=${table.size}`);
  table.page = p.page;
  for (const th of document.querySelectorAll("#running-table th[data-sort]")) {
    th.classList.toggle("asc", th.dataset.sort === p.sort && p.order === "asc");
    th.classList.toggle("desc", th.dataset.sort === p.sort && p.order === "desc");
  }
  const rows = p.items.map(r => el("tr", { "data-project": r.namespace + "/" + r.name },
    el("td", { class: "name" }, r.name), el("td", {}, r.namespace), el("td", {}, r.image),
    el("td", { class: "num" }, r.cpuLimit), el("td", { class: "num" }, r.cpuRequest),
    el("td", { class: "num" }, r.memoryLimit), el("td", { class: "num" }, r.memoryRequest),
    el("td", { class: "num" }, r.gpu), el("td", { class: "node" }, r.node || ""), el("td", {}, r.nodeGroup || ""),
    el("td", { class: "time" }, time(r.startedAt)), el("td", { class: "time" }, time(r.lastActivity)), el("td", {}, r.licenses.join(", "))));
  fill(document.querySelector("#running-table tbody"), rows, "No project is running.", 13);
  document.getElementById("running-count").textContent = "(" + p.total + ")";
  document.getElementById("page-info").textContent = "page " + p.page + " of " + p.pages;
  document.getElementById("prev").disabled = p.page <= 1;
  document.getElementById("next").disabled = p.page >= p.pages;
}

function waitingItem(w) {
  return el("li", { "data-project": w.namespace + "/" + w.name },
    el("strong", {}, w.namespace + "/" + w.name), " ", el("span", { class: "tag" }, w.resource),
    " ", el("span", { class: "message" }, w.message), " ", el("span", { class: "muted" }, "since " + time(w.since)));
}

async function waiting() {
  const w = await api("waiting");
  const box = document.getElementById("queues");
  box.replaceChildren();
  for (const q of w.queues) {
    box.append(el("div", { class: "queue", "data-scope": q.key }, el("h3", {}, "Queue of " + q.scope), el("ol", {}, ...q.projects.map(waitingItem))));
  }
  if (w.neverFits.length > 0) {
    box.append(el("div", { class: "queue", "data-scope": "never-fits" }, el("h3", {}, "Never fit (no queue)"), el("ul", {}, ...w.neverFits.map(waitingItem))));
  }
  if (box.children.length === 0) box.append(el("p", { class: "empty" }, "Nobody waits."));
}

async function rejections() {
  const r = await api("rejections");
  const rows = r.items.map(x => el("tr", { "data-project": x.namespace + "/" + x.project },
    el("td", { class: "time" }, time(x.time)), el("td", {}, x.namespace + "/" + x.project), el("td", {}, x.reason),
    el("td", {}, el("span", { class: "tag" }, x.resource)), el("td", {}, x.message)));
  fill(document.querySelector("#rejections-table tbody"), rows, "No rejection in the Events the API server still keeps.", 5);
  document.getElementById("rejections-since").textContent = r.oldest ? "(" + r.total + " since " + time(r.oldest) + " UTC)" : "";
}

async function licenses() {
  const ls = await api("licenses");
  const rows = ls.map(l => el("tr", { "data-license": l.name },
    el("td", {}, l.name), el("td", {}, l.phase || ""),
    el("td", { class: "num" }, l.running + " / " + (l.runLimit === null ? "no limit" : l.runLimit)),
    el("td", {}, time(l.activates)), el("td", {}, time(l.expires)), el("td", {}, l.holders.join(", "))));
  fill(document.querySelector("#licenses-table tbody"), rows, "No License.", 6);
}

async function nodeGroups() {
  const gs = await api("nodegroups");
  const amount = b => b.usedText + " / " + b.limitText;
  const rows = gs.map(g => el("tr", { "data-group": g.name },
    el("td", {}, g.name), el("td", {}, g.nodes.join(", ")), el("td", { class: "num" }, g.runningProjects),
    ...g.bars.map(b => el("td", { class: "num" }, amount(b)))));
  fill(document.querySelector("#nodegroups-table tbody"), rows, "No DedicatedNodeGroup.", 6);
}

async function refresh() {
  const views = [overview, running, waiting, rejections, licenses, nodeGroups];
  const results = await Promise.allSettled(views.map(v => v()));
  const failed = results.filter(r => r.status === "rejected");
  if (failed.length > 0) document.getElementById("updated").textContent = "update failed: " + failed[0].reason.message;
  document.body.dataset.loaded = "true";
}

for (const th of document.querySelectorAll("#running-table th[data-sort]")) {
  th.addEventListener("click", () => {
    table.order = table.sort === th.dataset.sort && table.order === "asc" ? "desc" : "asc";
    table.sort = th.dataset.sort;
    running();
  });
}
document.getElementById("prev").addEventListener("click", () => { table.page--; running(); });
document.getElementById("next").addEventListener("click", () => { table.page++; running(); });

refresh();
setInterval(refresh, REFRESH_MS);
