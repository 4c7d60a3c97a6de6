// Loads the dashboard in headless Chromium and checks what an admin would look for on the
// embedded run with examples/ applied. Run by DashboardIT:
//   node dashboard-browser-test.mjs <dashboard URL> <screenshot.png>
// CHROMIUM names the browser (default /usr/bin/chromium, Debian's); Playwright downloads none.
import { chromium } from "playwright-core";

const [url, screenshot] = process.argv.slice(2);
if (!url || !screenshot) {
  console.error("usage: node dashboard-browser-test.mjs <url> <screenshot.png>");
  process.exit(2);
}

const failures = [];
function check(what, ok, detail) {
  console.log((ok ? "ok   " : "FAIL ") + what + (ok ? "" : ": " + detail));
  if (!ok) failures.push(what);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  // root in a container has no user namespace for the sandbox
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
  const errors = [];
  page.on("pageerror", e => errors.push(e.message));
  page.on("console", m => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector("body[data-loaded=true]", { timeout: 15000 });

  const text = async sel => (await page.locator(sel).first().textContent({ timeout: 5000 }))?.trim();

  const courseBar = await text('[data-scope="namespace/course/compute"] .bar[data-resource="requests.memory"] .amount');
  check("the course namespace quota bar shows its memory used of the limit", courseBar === "820Mi / 1Gi", courseBar);

  const waiter = page.locator('[data-scope="2-namespace/course"] li').first();
  const waiterProject = await waiter.getAttribute("data-project");
  check("a course student waits in the queue of course's quota", /^course\/student-\d$/.test(waiterProject ?? ""), waiterProject);
  const message = (await waiter.locator(".message").textContent())?.trim();
  check("with its bottleneck message", message === "namespace quota course/compute: requests.memory needs 410Mi, 204Mi of 1Gi free", message);

  const gpuNode = await text('tr[data-project="research/gpu-training"] td.node');
  check("gpu-training runs on gpu-1", gpuNode === "gpu-1", gpuNode);
  const runningRows = await page.locator("#running-table tbody tr[data-project]").count();
  check("seven projects run", runningRows === 7, runningRows);

  // Sorting: GPU descending puts the GPU project first.
  const gpuHeader = page.locator('#running-table th[data-sort="gpu"]');
  await gpuHeader.click();
  await page.waitForSelector('#running-table th.asc[data-sort="gpu"]');
  await gpuHeader.click();
  await page.waitForSelector('#running-table th.desc[data-sort="gpu"]');
  const first = await page.locator("#running-table tbody tr").first().getAttribute("data-project");
  check("sorted by GPU, descending, gpu-training comes first", first === "research/gpu-training", first);

  const rejected = await page.locator(`#rejections-table tbody tr[data-project="${waiterProject}"]`).count();
  check("the waiting student's rejection is in the history", rejected >= 1, rejected);
  const license = await text('#licenses-table tr[data-license="course-2026"] td:nth-child(3)');
  check("the course license shows its run slots in use of its limit", license === "2 / 30", license);
  const group = await text('#nodegroups-table tr[data-group="physics"] td:nth-child(2)');
  check("the physics node group lists its node", group === "physics-1", group);
  check("the page logged no errors", errors.length === 0, errors.join("; "));

  // Back to the default order for the picture.
  await page.locator('#running-table th[data-sort="project"]').click();
  await page.waitForSelector('#running-table th.asc[data-sort="project"]');
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log("screenshot: " + screenshot);
} finally {
  await browser.close();
}
if (failures.length > 0) {
  console.error(failures.length + " check(s) failed");
  process.exit(1);
}
