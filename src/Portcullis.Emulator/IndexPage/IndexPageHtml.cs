namespace Portcullis.Emulator.IndexPage;

/// <summary>
/// The self-check page served at the web path. Self-contained (inline CSS and JS, nothing
/// fetched from elsewhere) so it works on an offline network. Each check is one line with a
/// stable id and a <c>pass</c>/<c>fail</c> class for headless-browser tests; <c>#summary</c>
/// reads "all checks passed" when every line is green.
/// </summary>
internal static class IndexPageHtml
{
    /// <summary>Replaced with the web path as a JSON string literal.</summary>
    public const string WebPathPlaceholder = "\"__WEB_PATH__\"";

    public const string Template = """
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Portcullis authentik emulator</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 60rem; color: #222; }
  li { list-style: none; margin: .4rem 0; padding: .4rem .6rem; border-radius: .3rem; background: #eee; }
  li.pass { background: #d9f2d9; }
  li.pass::before { content: "\2714  "; color: #1a7f1a; }
  li.fail { background: #f7d4d4; }
  li.fail::before { content: "\2718  "; color: #b00020; }
  .detail { color: #555; font-size: .9em; margin-left: .5rem; }
  #summary { font-weight: bold; margin-top: 1rem; }
  pre { background: #f5f5f5; padding: .8rem; white-space: pre-wrap; overflow-wrap: anywhere; }
  ul { padding-left: 0; }
</style>
</head>
<body>
<h1>authentik emulator</h1>
<p>This page is served by <code>portcullis emulate</code> as if it were authentik. Open it through your
reverse proxy: each line checks one thing authentik needs from the proxy.</p>
<ul>
  <li id="check-proto">X-Forwarded-Proto is https <span class="detail"></span></li>
  <li id="check-host">Host reaches authentik unchanged <span class="detail"></span></li>
  <li id="check-ip">Client IP is not the proxy <span class="detail"></span></li>
  <li id="check-ws">WebSocket connects and echoes <span class="detail"></span></li>
  <li id="check-csrf">CSRF POST with the browser's Origin passes <span class="detail"></span></li>
</ul>
<div id="summary">running checks…</div>
<h2>What authentik saw</h2>
<pre id="system">loading…</pre>
<script>
"use strict";
const WEB = "__WEB_PATH__";
const ids = ["check-proto", "check-host", "check-ip", "check-ws", "check-csrf"];
const results = {};

function report(id, ok, detail) {
  const li = document.getElementById(id);
  li.classList.remove("pass", "fail");
  li.classList.add(ok ? "pass" : "fail");
  li.querySelector(".detail").textContent = detail;
  results[id] = ok;
  if (ids.every(i => i in results)) {
    const failed = ids.filter(i => !results[i]).length;
    document.getElementById("summary").textContent =
      failed === 0 ? "all checks passed" : failed + " of " + ids.length + " checks failed";
  }
}

function headerValue(headers, name) {
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name) { return headers[key]; }
  }
  return undefined;
}

async function checkSystem() {
  let sys;
  try {
    const response = await fetch(WEB + "api/v3/admin/system/", { cache: "no-store", credentials: "same-origin" });
    sys = await response.json();
  } catch (e) {
    for (const id of ["check-proto", "check-host", "check-ip"]) { report(id, false, "system view unreachable: " + e); }
    return;
  }
  document.getElementById("system").textContent = JSON.stringify(sys, null, 2);
  report("check-proto", sys.http_is_secure === true,
    "authentik computed scheme " + sys.scheme + (sys.http_is_secure ? "" : ": it will build http:// URLs"));
  report("check-host", sys.http_host === location.host,
    "browser " + location.host + ", authentik " + sys.http_host);
  const xff = headerValue(sys.http_headers, "x-forwarded-for");
  let ipOk, ipDetail;
  if (sys.client_ip !== sys.peer_ip) {
    ipOk = true; ipDetail = "client " + sys.client_ip + " via proxy " + sys.peer_ip;
  } else if (!sys.peer_trusted && xff !== undefined) {
    ipOk = false; ipDetail = "proxy " + sys.peer_ip + " sent X-Forwarded-For but is outside the trusted proxy CIDRs";
  } else if (!sys.peer_trusted) {
    ipOk = true; ipDetail = "no proxy in front: " + sys.client_ip;
  } else if (xff !== undefined && xff.split(",").map(s => s.trim()).includes(sys.client_ip)) {
    // Browser and proxy on one machine (the demo): same address, but it came from X-Forwarded-For.
    ipOk = true; ipDetail = "client " + sys.client_ip + " from X-Forwarded-For (the browser and the proxy share this address)";
  } else {
    ipOk = false;
    ipDetail = xff === undefined
      ? "the proxy " + sys.peer_ip + " sent no X-Forwarded-For: authentik sees the proxy as the client"
      : "authentik sees the proxy " + sys.peer_ip + " as the client";
  }
  report("check-ip", ipOk, ipDetail);
}

function checkWebSocket() {
  return new Promise(resolve => {
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + WEB + "ws/client/";
    const probe = "echo-" + Math.random().toString(36).slice(2);
    let done = false;
    const finish = (ok, detail) => { if (!done) { done = true; report("check-ws", ok, detail); resolve(); } };
    let socket;
    try { socket = new WebSocket(url); } catch (e) { finish(false, String(e)); return; }
    const timer = setTimeout(() => { finish(false, "no echo within 5 s from " + url); socket.close(); }, 5000);
    socket.onopen = () => socket.send(probe);
    socket.onmessage = event => {
      if (event.data === probe) { clearTimeout(timer); finish(true, url); socket.close(1000, "done"); }
    };
    socket.onerror = () => { clearTimeout(timer); finish(false, "connection failed: " + url); };
    socket.onclose = event => { clearTimeout(timer); finish(false, "closed with " + event.code + " before the echo"); };
  });
}

async function checkCsrf() {
  try {
    const tokenResponse = await fetch(WEB + "api/v3/emulator/csrf/", { cache: "no-store", credentials: "same-origin" });
    const { token } = await tokenResponse.json();
    const response = await fetch(WEB + "api/v3/emulator/csrf/", {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "X-authentik-CSRF": token, "Content-Type": "application/json" }, body: "{}",
    });
    const body = await response.json();
    report("check-csrf", response.ok, response.ok ? "origin " + body.origin + " accepted" : body.detail);
  } catch (e) {
    report("check-csrf", false, String(e));
  }
}

Promise.all([checkSystem(), checkWebSocket(), checkCsrf()]);
</script>
</body>
</html>
""";
}
