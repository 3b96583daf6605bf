// The whole journey of one complaint, in a real headless Chromium:
//
//   1. an analyst notes the dashboard's figures;
//   2. an owner, on a phone-sized window, opens the project's portal page,
//      describes the problem, chooses building and unit, attaches a photo,
//      leaves name and phone, submits and reads the tracking number;
//   3. the front desk logs in, opens the complaint from the home page's
//      queue, checks the photo, reveals the phone (recorded), confirms,
//      assesses, investigates and dispatches it to the engineering
//      department's handler, and finds it again by its words with the
//      search box of the navigation (the word marked in the results);
//   4. the handler logs in on a phone, accepts and resolves it;
//   5. the owner follows it with tracking number and phone and accepts
//      the result;
//   6. the department head finds it with the list's search box and
//      approves closing it;
//   7. the owner answers the callback survey;
//   8. the analyst sees the dashboard count it.
//
// Every page visited is saved as a numbered full-page screenshot, and
// checked for raw catalogue keys and for being wider than its window.
//
// Configuration: a JSON object as the first argument or in TOUSU_E2E:
//   {"base_url": "http://127.0.0.1:8080",
//    "screenshot_dir": "target/browser-screenshots",
//    "accounts": {"frontdesk": "password", "handler": "…", "depthead": "…", "analyst": "…"},
//    "company": "HTWY", "project": "JYHY"}
// The browser is TOUSU_CHROMIUM, else /usr/bin/chromium.
// Exit status 0 when every step passed; 1 with the failed step, the page's
// address and the reason otherwise.

import { chromium } from "playwright-core";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { deflateSync } from "node:zlib";

const config = JSON.parse(process.argv[2] ?? process.env.TOUSU_E2E ?? "{}");
const base = (config.base_url ?? process.env.BASE_URL ?? "").replace(/\/$/, "");
const shotsDir = resolve(config.screenshot_dir ?? process.env.SCREENSHOT_DIR ?? "browser-screenshots");
const accounts = config.accounts ?? {};
const company = config.company ?? "HTWY";
const project = config.project ?? "JYHY";
const executablePath = process.env.TOUSU_CHROMIUM || "/usr/bin/chromium";
const TIMEOUT = Number(process.env.TOUSU_E2E_TIMEOUT_MS || 30000);

for (const who of ["frontdesk", "handler", "depthead", "analyst"]) {
  if (!accounts[who]) fail("configuration", `no password for the account "${who}" (config.accounts.${who})`);
}
if (!base) fail("configuration", "no base_url");

// The owner.
const OWNER = {
  name: "林晓燕",
  phone: "139 0571 2468",
  building: "2栋",
  unit: "1202",
  description: "2栋1202厨房吊顶渗水，墙角已经发霉，楼上装修以后就开始了，已经持续一周。",
  remedy: "查明原因，修好防水并恢复吊顶",
};

// ---------------------------------------------------------------------------
// Screenshots and steps.

mkdirSync(shotsDir, { recursive: true });
for (const f of readdirSync(shotsDir)) if (f.endsWith(".png")) rmSync(join(shotsDir, f));
let shotNo = 0;
let current = { step: "start", page: null };

/** A full-page screenshot, numbered in the order taken. */
async function shot(page, name) {
  shotNo += 1;
  const file = join(shotsDir, `${String(shotNo).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

function fail(step, reason) {
  console.error(`\nFAILED at step "${step}": ${reason}`);
  process.exit(1);
}

/** Runs one step; its name is what a failure names. */
async function step(name, page, body) {
  current = { step: name, page };
  const started = Date.now();
  const out = await body();
  console.log(`ok   ${name} (${Date.now() - started} ms)`);
  return out;
}

/** The visible text of `selector`, which must be there. */
async function textOf(page, selector) {
  const el = page.locator(selector).first();
  try {
    await el.waitFor({ state: "visible", timeout: TIMEOUT });
  } catch {
    throw new Error(`"${selector}" is not visible on ${page.url()}`);
  }
  return (await el.innerText()).trim();
}

/** `selector` is visible and its text contains `expected`. */
async function expectText(page, selector, expected) {
  const got = await textOf(page, selector);
  if (!got.includes(expected)) {
    throw new Error(`"${selector}" on ${page.url()} should contain "${expected}" but reads "${got.slice(0, 300)}"`);
  }
  return got;
}

/** The page shows no raw catalogue key (`complaint.field.x`) and no template error. */
async function expectWellFormed(page) {
  const body = await page.locator("body").innerText();
  const raw = body.match(/\b(?:app|nav|role|status|login|home|table|error|portal|dashboard|admin|complaints?|lang)\.[a-z_]+(?:\.[a-z_]+)*\b/);
  if (raw) throw new Error(`${page.url()} shows an untranslated key "${raw[0]}"`);
  for (const bad of ["undefined", "[object Object]", "NaN"]) {
    if (body.includes(bad)) throw new Error(`${page.url()} shows "${bad}"`);
  }
  // Nothing wider than the window (a phone must not scroll sideways).
  // (Against the window's set width: on a phone the layout viewport grows with what overflows.)
  const width = page.viewportSize().width;
  const overflow = await page.evaluate((w) => document.documentElement.scrollWidth - w, width);
  if (overflow > 1) throw new Error(`${page.url()} is ${overflow}px wider than the ${width}px window`);
}

/** Submits the form `formSelector` with its button and waits for the page that answers. */
async function submit(page, formSelector, button = "button[type=submit]") {
  await Promise.all([
    page.waitForNavigation({ waitUntil: "load", timeout: TIMEOUT }),
    page.locator(`${formSelector} ${button}`).first().click(),
  ]);
}

/** A phone-sized window (an owner's phone, a handler's in the field). */
const PHONE = {
  viewport: { width: 375, height: 812 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  userAgent:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
};
const DESKTOP = { viewport: { width: 1280, height: 900 } };

/** A staff member's own browser window, logged in. */
async function staff(browser, username, expectName, device = DESKTOP) {
  const ctx = await browser.newContext({ ...device, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  const page = await ctx.newPage();
  page.setDefaultTimeout(TIMEOUT);
  await step(`${username}: logs in`, page, async () => {
    await page.goto(`${base}/login`);
    await expectText(page, "h1", "登录");
    await expectWellFormed(page);
    await shot(page, `${username}-login`);
    await page.fill("input[name=username]", username);
    await page.fill("input[name=password]", accounts[username]);
    await submit(page, "form[action='/login']");
    await expectText(page, "[data-testid=who]", expectName);
    await expectWellFormed(page);
    await shot(page, `${username}-home`);
  });
  return { ctx, page };
}

/** From the home page's queues to the complaint's page. */
async function openFromHome(page, trackingNo, who) {
  await step(`${who}: opens ${trackingNo} from the home page`, page, async () => {
    const link = page.locator(`main a:has-text("${trackingNo}")`).first();
    try {
      await link.waitFor({ state: "visible", timeout: TIMEOUT });
    } catch {
      throw new Error(`the home page of ${who} does not list ${trackingNo}`);
    }
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), link.click()]);
    await expectText(page, "[data-testid=tracking-no]", trackingNo);
    await expectWellFormed(page);
  });
}

/** From the complaints list's search box (a tracking number opens the complaint). */
async function openBySearch(page, trackingNo, who) {
  await step(`${who}: finds ${trackingNo} with the list's search box`, page, async () => {
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("nav.main-nav a[href='/complaints']")]);
    await expectText(page, "h1", "投诉列表");
    await expectText(page, "[data-testid=complaint-list]", trackingNo);
    await expectWellFormed(page);
    await shot(page, `${who}-list`);
    await page.fill("[data-testid=search]", trackingNo.toLowerCase());
    await submit(page, "form.cx-search");
    await expectText(page, "[data-testid=tracking-no]", trackingNo);
    await expectWellFormed(page);
  });
}

/** From the navigation's search box (on every staff page): words typed,
 *  Enter, the complaint among the results with the words marked in its
 *  passage, then clicked through. The index follows the history in the
 *  background (a fraction of a second), so the search is repeated until
 *  the complaint is listed. */
async function findByWords(page, trackingNo, words, who) {
  await step(`${who}: searches "${words}" from the navigation's box and opens ${trackingNo}`, page, async () => {
    const box = "[data-testid=nav-search] input[name=q]";
    const hit = page.locator("[data-testid=hit]").filter({ has: page.locator("[data-testid=hit-link]", { hasText: trackingNo }) });
    const deadline = Date.now() + TIMEOUT;
    for (;;) {
      await page.fill(box, words);
      await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.press(box, "Enter")]);
      if (await hit.count()) break;
      if (Date.now() > deadline) {
        const said = await page.locator("[data-testid=search-results]").innerText().catch(() => "");
        throw new Error(`searching "${words}" never listed ${trackingNo}; the page says: ${said.slice(0, 300)}`);
      }
      await page.waitForTimeout(250);
    }
    await expectText(page, "h1", "搜索");
    await expectText(page, "[data-testid=search-total]", "共");
    const marked = await hit.first().locator("[data-testid=snippet] mark").allInnerTexts();
    if (!marked.includes(words)) throw new Error(`the passage marks ${JSON.stringify(marked)}, not "${words}"`);
    await expectWellFormed(page);
    await shot(page, `${who}-search`);
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), hit.first().locator("[data-testid=hit-link]").click()]);
    await expectText(page, "[data-testid=tracking-no]", trackingNo);
    await expectWellFormed(page);
  });
}

/** Performs a staff action with its form; checks the notice and the new status. */
async function act(page, who, action, title, fill, status, statusLabel) {
  await step(`${who}: ${action} → ${status}`, page, async () => {
    const form = `form#act-${action}`;
    if (!(await page.locator(form).count())) {
      const offered = await page.locator("form.cx-action").evaluateAll((fs) => fs.map((f) => f.dataset.action));
      throw new Error(`no "${action}" form for ${who} on ${page.url()}; offered: ${offered.join(", ") || "none"}`);
    }
    await expectText(page, `${form} h3`, title);
    await fill(form);
    await submit(page, form);
    const refusal = await page.locator("[data-testid=refusal], form.cx-failed .alert").allInnerTexts();
    if (refusal.length) throw new Error(`"${action}" was refused: ${refusal.join(" / ")}`);
    await expectText(page, "[data-testid=notice]", `已完成：${title}`);
    const got = await page.locator("[data-testid=status]").getAttribute("data-status");
    if (got !== status) throw new Error(`after "${action}" the status is ${got}, not ${status}`);
    await expectText(page, "[data-testid=status]", statusLabel);
    await expectWellFormed(page);
    await shot(page, `${who}-${action}`);
  });
}

// ---------------------------------------------------------------------------
// A small real photo: a 96×64 RGB PNG (a gradient), made here.

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function photoPng(width = 96, height = 64) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, no filter, no interlace
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) row.set([120 + x, 90 + y * 2, 60 + ((x * y) % 80)], 1 + x * 3);
    rows.push(row);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(Buffer.concat(rows))), chunk("IEND", Buffer.alloc(0))]);
}

const PHOTO = photoPng();

// ---------------------------------------------------------------------------
// The dashboard's figures.

async function dashboardFigures(page) {
  await page.goto(`${base}/dashboard`);
  await expectText(page, "h1", "数据看板");
  await expectWellFormed(page);
  const number = async (id) => {
    const t = await textOf(page, `[data-testid=${id}]`);
    const n = Number.parseInt(t, 10);
    if (Number.isNaN(n)) throw new Error(`the dashboard's ${id} reads "${t}", not a number`);
    return n;
  };
  // The satisfaction table: month, callbacks, index (the latest month last).
  const months = await page.locator("#chart-satisfaction table.figures tbody tr").evaluateAll((rows) =>
    rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent.trim())),
  );
  const callbacks = months.reduce((n, m) => n + (Number.parseInt(m[1], 10) || 0), 0);
  return {
    received: await number("received-total"),
    open: await number("open-total"),
    latestIndex: await textOf(page, "[data-testid=latest-index]"),
    callbacks,
  };
}

// ---------------------------------------------------------------------------
// The journey.

const started = Date.now();
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
  ],
});

try {
  console.log(`tousu browser journey: ${base}, Chromium ${browser.version()}, screenshots in ${shotsDir}`);

  // 1. The analyst's figures before.
  const analyst = await staff(browser, "analyst", "孙敏");
  const before = await step("analyst: reads the dashboard before", analyst.page, async () => {
    const f = await dashboardFigures(analyst.page);
    await shot(analyst.page, "analyst-dashboard-before");
    return f;
  });

  // 2. The owner, on a phone.
  const ownerCtx = await browser.newContext({ ...PHONE, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  const owner = await ownerCtx.newPage();
  owner.setDefaultTimeout(TIMEOUT);

  const trackingNo = await step("owner: submits from the project's page with a photo", owner, async () => {
    await owner.goto(`${base}/p/${company}/${project}`);
    await expectText(owner, "h1", "我要投诉");
    await expectText(owner, "[data-testid=project]", "锦园华苑");
    await expectWellFormed(owner);
    await shot(owner, "owner-portal");
    await owner.fill("textarea[name=description]", OWNER.description);
    await owner.selectOption("select[name=building]", OWNER.building);
    await owner.fill("input[name=unit]", OWNER.unit);
    const photo = owner.locator("input[type=file][name=photos]:not([capture])");
    await photo.setInputFiles({ name: "kitchen-ceiling.png", mimeType: "image/png", buffer: PHOTO });
    await expectText(owner, "[data-photo-count]", "已选择 1 张照片");
    await owner.fill("input[name=name]", OWNER.name);
    await owner.fill("input[name=phone]", OWNER.phone);
    await owner.fill("input[name=remedy_sought]", OWNER.remedy);
    await shot(owner, "owner-portal-filled");
    await submit(owner, "form[enctype='multipart/form-data']");
    const error = await owner.locator("[data-testid=error], [data-testid=photos-again]").allInnerTexts();
    if (error.length) throw new Error(`the portal refused the complaint: ${error.join(" / ")}`);
    await expectText(owner, "h1", "提交成功");
    const no = await textOf(owner, "[data-testid=tracking-no]");
    if (!/^TS\d{8}-\d{4,}$/.test(no)) throw new Error(`the receipt's tracking number reads "${no}"`);
    await expectText(owner, "[data-testid=receipt]", "已上传 1 张");
    await expectText(owner, "[data-testid=receipt]", `锦园华苑 ${OWNER.building} ${OWNER.unit}`);
    await expectWellFormed(owner);
    await shot(owner, "owner-receipt");
    return no;
  });
  console.log(`     tracking number ${trackingNo}`);

  // 3. The front desk: confirm, assess, investigate, dispatch.
  const desk = await staff(browser, "frontdesk", "王芳");
  await openFromHome(desk.page, trackingNo, "frontdesk");
  await step("frontdesk: reads the owner's words and photo", desk.page, async () => {
    await expectText(desk.page, "[data-testid=status]", "已受理");
    await expectText(desk.page, "[data-testid=owner-words]", "厨房吊顶渗水");
    await expectText(desk.page, "[data-testid=evidence]", "kitchen-ceiling.png");
    // The photo as stored: the same bytes, served as a PNG to the logged-in staff member.
    const href = await desk.page.locator("[data-testid=evidence] a[href^='/api/v1/files/']").first().getAttribute("href");
    const file = await desk.ctx.request.get(`${base}${href}`);
    if (file.status() !== 200) throw new Error(`GET ${href} answered ${file.status()}`);
    if (!(file.headers()["content-type"] ?? "").startsWith("image/png")) throw new Error(`the photo is served as ${file.headers()["content-type"]}`);
    if (!(await file.body()).equals(PHOTO)) throw new Error("the photo served is not the one the owner sent");
    const masked = await textOf(desk.page, "[data-testid=customer] [data-personal=phone]");
    if (!masked.includes("*")) throw new Error(`the phone is shown in clear before revealing: ${masked}`);
    await shot(desk.page, "frontdesk-complaint");
  });
  await step("frontdesk: reveals the owner's phone (recorded)", desk.page, async () => {
    await desk.page.click("[data-testid=reveal]");
    const phone = desk.page.locator("[data-testid=customer] [data-personal=phone].cx-revealed");
    try {
      await phone.waitFor({ state: "visible", timeout: TIMEOUT });
    } catch {
      const why = await desk.page.locator("[data-reveal-error]").innerText().catch(() => "");
      throw new Error(`the phone was not revealed${why ? `: ${why}` : ""}`);
    }
    const clear = (await phone.innerText()).replace(/\D/g, "");
    if (clear !== OWNER.phone.replace(/\D/g, "")) throw new Error(`the revealed phone reads ${clear}`);
    await expectText(desk.page, "[data-testid=customer] [data-personal=name]", OWNER.name);
    await shot(desk.page, "frontdesk-revealed");
  });
  await act(desk.page, "frontdesk", "confirm", "确认投诉", async () => {}, "confirmed", "已确认");
  await act(
    desk.page,
    "frontdesk",
    "assess",
    "评估",
    async (form) => {
      await desk.page.selectOption(`${form} select[name=severity]`, "general");
      await desk.page.selectOption(`${form} select[name=category]`, "facilities");
    },
    "assessed",
    "已评估",
  );
  await act(
    desk.page,
    "frontdesk",
    "investigate",
    "调查",
    async (form) => {
      await desk.page.selectOption(`${form} select[name=department]`, "engineering");
      await desk.page.fill(`${form} input[name=post]`, "水电维修岗");
      await desk.page.fill(`${form} input[name=person]`, "李强");
      await desk.page.fill(`${form} textarea[name=root_cause]`, "楼上住户装修破坏卫生间防水层");
      await desk.page.locator(`${form} input[name=evidence]`).first().check();
    },
    "investigating",
    "调查中",
  );
  await act(
    desk.page,
    "frontdesk",
    "dispatch",
    "派单",
    async (form) => {
      await desk.page.selectOption(`${form} select[name=department]`, "engineering");
      await desk.page.selectOption(`${form} select[name=handler]`, "handler");
      await desk.page.fill(`${form} textarea[name=note]`, "业主已上传照片，请今天上门");
    },
    "dispatched",
    "已派单",
  );
  await step("frontdesk: sees the engineering department and handler", desk.page, async () => {
    await expectText(desk.page, "[data-testid=facts]", "工程部");
    await expectText(desk.page, "[data-testid=facts]", "李强");
  });
  // A caller rings again about "the ceiling": the desk finds it by its words.
  await findByWords(desk.page, trackingNo, "吊顶", "frontdesk");

  // 4. The handler, on a phone in the field: accept, resolve.
  const handler = await staff(browser, "handler", "李强", PHONE);
  await openFromHome(handler.page, trackingNo, "handler");
  await act(handler.page, "handler", "accept", "接单", async () => {}, "in_progress", "处理中");
  await act(
    handler.page,
    "handler",
    "resolve",
    "办结",
    async (form) => {
      await handler.page.fill(`${form} textarea[name=resolution]`, "已重做楼上卫生间防水并做闭水试验48小时，厨房吊顶已更换");
    },
    "resolved",
    "已处理待确认",
  );

  // 5. The owner follows it and accepts the result.
  const track = async (name, fromReceipt = false) => {
    if (fromReceipt) {
      await Promise.all([owner.waitForNavigation({ waitUntil: "load" }), owner.click("[data-testid=follow]")]);
    } else {
      await owner.goto(`${base}/track?no=${encodeURIComponent(trackingNo)}`);
    }
    await expectText(owner, "h1", "查询投诉进度");
    const typed = await owner.inputValue("input[name=tracking_no]");
    if (typed !== trackingNo) throw new Error(`the tracking form holds "${typed}", not ${trackingNo}`);
    await expectWellFormed(owner);
    await shot(owner, name);
    await owner.fill("input[name=phone]", OWNER.phone);
    await submit(owner, "form[action='/track']");
    const error = await owner.locator("[data-testid=error]").allInnerTexts();
    if (error.length) throw new Error(`tracking was refused: ${error.join(" / ")}`);
    await expectText(owner, "h1", "处理进度");
  };
  await step("owner: follows the complaint and accepts the result", owner, async () => {
    await track("owner-track-form", true);
    await expectText(owner, "[data-testid=status-text]", "责任部门已处理完毕，请您确认处理结果。");
    await expectText(owner, "[data-testid=department]", "工程部");
    await expectText(owner, "[data-testid=resolution]", "闭水试验");
    await expectText(owner, "[data-testid=history]", "已转交工程部处理");
    await expectWellFormed(owner);
    await shot(owner, "owner-progress-resolved");
    await owner.fill("[data-testid=accept-form] input[name=note]", "师傅很负责，谢谢");
    await submit(owner, "[data-testid=accept-form]");
    await expectText(owner, "[data-testid=notice]", "您已确认处理结果");
    await expectText(owner, "[data-testid=status-text]", "您已确认处理结果，正在办理关闭。");
    await expectWellFormed(owner);
    await shot(owner, "owner-accepted");
  });

  // 6. The department head approves closing it.
  const head = await staff(browser, "depthead", "赵刚");
  await openBySearch(head.page, trackingNo, "depthead");
  await act(head.page, "depthead", "close", "审批关闭", async () => {}, "closed", "已关闭");

  // 7. The owner answers the callback survey.
  await step("owner: answers the callback survey", owner, async () => {
    await track("owner-track-again");
    await expectText(owner, "[data-testid=status-text]", "投诉已办结");
    await expectText(owner, "#callback h2", "回访评价");
    await expectWellFormed(owner);
    await shot(owner, "owner-callback-form");
    await owner.locator("[data-testid=callback-form] input[name=perceived][value='10']").check();
    await owner.locator("[data-testid=callback-form] input[name=expected][value='8']").check();
    await owner.fill("[data-testid=callback-form] textarea[name=comment]", "处理及时，希望以后装修管理更严格");
    await shot(owner, "owner-callback-filled");
    await submit(owner, "[data-testid=callback-form]");
    await expectText(owner, "[data-testid=notice]", "感谢您的评价");
    if (await owner.locator("[data-testid=callback-form]").count()) throw new Error("the callback form is still offered after answering it");
    await expectWellFormed(owner);
    await shot(owner, "owner-thanked");
  });

  await step("frontdesk: sees the callback on the complaint", desk.page, async () => {
    await desk.page.goto(desk.page.url().replace(/\?.*$/, ""));
    await expectText(desk.page, "[data-testid=timeline]", "查看个人信息");
    await expectText(desk.page, "[data-testid=status]", "已关闭");
    await expectText(desk.page, "[data-testid=facts]", "回访记录");
    await expectText(desk.page, "[data-testid=facts]", "1.25");
    await expectWellFormed(desk.page);
    await shot(desk.page, "frontdesk-closed");
  });

  // 8. The dashboard counts it.
  await step("analyst: the dashboard counts the complaint", analyst.page, async () => {
    const after = await dashboardFigures(analyst.page);
    await shot(analyst.page, "analyst-dashboard-after");
    const problems = [];
    if (after.received !== before.received + 1) problems.push(`received ${before.received} → ${after.received}, expected +1`);
    if (after.open !== before.open) problems.push(`open ${before.open} → ${after.open}, expected unchanged (it is closed)`);
    if (after.callbacks !== before.callbacks + 1) problems.push(`callbacks ${before.callbacks} → ${after.callbacks}, expected +1`);
    if (after.latestIndex === "—" || after.latestIndex === "") problems.push(`no satisfaction index (${after.latestIndex})`);
    if (problems.length) throw new Error(problems.join("; "));
    console.log(`     received ${before.received} → ${after.received}; callbacks ${before.callbacks} → ${after.callbacks}; index ${after.latestIndex}`);
  });

  console.log(`\njourney passed in ${((Date.now() - started) / 1000).toFixed(1)} s; ${shotNo} screenshots in ${shotsDir}`);
  await browser.close();
} catch (e) {
  if (current.page) {
    try {
      const file = await shot(current.page, "FAILED");
      console.error(`screenshot of the failure: ${file}`);
    } catch {
      // the page is gone
    }
  }
  await browser.close().catch(() => {});
  fail(current.step, e?.message ?? String(e));
}
