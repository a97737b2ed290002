const form = document.getElementById("upload"), status = document.getElementById("status");
const send = document.getElementById("send"), input = document.getElementById("file");
const policy = JSON.parse(atob(form.elements["policy"].value));
const range = policy.conditions.find(c => Array.isArray(c) && c[0] === "content-length-range") || [0, 0, Infinity];
// A request with a header of its own is checked by the browser first (a CORS preflight), so a store that
// lets no page read its answers is found out before any file is sent, and nothing is sent twice.
async function canRead() {
  try {
    await fetch(form.action, {method: "POST", headers: {"X-Upload-Check": "1"}, body: new FormData()});
    return true;
  } catch (error) {
    return false;
  }
}
function say(text, kind) { status.textContent = text; status.className = kind; }
// An exact type is sent as the form says, whatever the browser guesses of the file (Windows calls a zip
// application/x-zip-compressed); a family needs the file's own type, which must be of it.
function typeOk(type) {
  return !accept || !accept.endsWith("/*") || type.toLowerCase().startsWith(accept.slice(0, -1));
}
input.addEventListener("change", () => say("", ""));
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = input.files[0];
  if (!file) { say("Choose a file first.", "bad"); return; }
  if (file.size > range[2]) { say(`Not sent: ${file.name} is ${file.size} bytes; the limit is ${range[2]}.`, "bad"); return; }
  if (file.size < range[1]) { say(`Not sent: ${file.name} is ${file.size} bytes; the least is ${range[1]}.`, "bad"); return; }
  if (!typeOk(file.type)) { say(`Not sent: ${file.name} is ${file.type || "of no known type"}; ${accept} is allowed.`, "bad"); return; }
  if (form.elements["Content-Type"] && accept) form.elements["Content-Type"].value = accept.endsWith("/*") ? file.type.toLowerCase() : accept;
  send.disabled = true;
  if (!await canRead()) {
    // The store does not let a page read its answers (no CORS): the browser posts the form and shows S3's own.
    say(`Sending ${file.name}; the store's answer follows.`, "");
    HTMLFormElement.prototype.submit.call(form);
    return;
  }
  say(`Sending ${file.name}…`, "");
  let answer;
  try {
    answer = await fetch(form.action, {method: "POST", body: new FormData(form)});
  } catch (error) {
    send.disabled = false;
    say(`Not uploaded: the store could not be reached (${error.message}).`, "bad");
    return;
  }
  send.disabled = false;
  if (answer.ok) { say(`Uploaded: ${file.name} arrived.`, "good"); return; }
  const text = await answer.text();
  const code = (text.match(/<Code>([^<]*)<\/Code>/) || [])[1] || answer.status;
  const message = (text.match(/<Message>([^<]*)<\/Message>/) || [])[1] || answer.statusText;
  say(`Not uploaded: ${code}: ${message}`, "bad");
});
