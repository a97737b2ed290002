const form = document.getElementById("upload"), status = document.getElementById("status");
const send = document.getElementById("send"), input = document.getElementById("file");
const sent = document.getElementById("sent");
const policy = JSON.parse(atob(form.elements["policy"].value));
const range = policy.conditions.find((c) => Array.isArray(c) && c[0] === "content-length-range") || ["", 0, Infinity];
const units = ["bytes", "KB", "MB", "GB", "TB"];

// A size as the page says it elsewhere, in powers of 1000; with more digits where two sizes would read alike.
function sizeText(size, digits = 1) {
  let amount = size, unit = 0;
  while (amount >= 1000 && unit < units.length - 1) { amount /= 1000; unit += 1; }
  if (unit === 0) return size === 1 ? "1 byte" : `${size} bytes`;
  return `${amount.toFixed(digits).replace(/\.0+$/, "")} ${units[unit]}`;
}
function twoSizes(size, limit) {
  let digits = 1;
  while (digits < 9 && sizeText(size, digits) === sizeText(limit, digits)) digits += 1;
  return [sizeText(size, digits), sizeText(limit, digits)];
}
// A name drawn as it is: each character that draws nothing or reorders text, or a mark stacked past a few, is
// named, as on the page itself.
function nameNode(name) {
  const bdi = document.createElement("bdi");
  let marked = 0;
  for (const char of name) {
    marked = marks.test(char) ? marked + 1 : 0;
    if ((char !== " " && hidden.test(char)) || marked > stacked) {
      const mark = document.createElement("span");
      mark.className = "cp";
      mark.textContent = `⟨U+${char.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}⟩`;
      bdi.append(mark);
    } else {
      bdi.append(char);
    }
  }
  return bdi;
}
function timeLeft(seconds) {
  if (seconds < 10) return "a few seconds left";
  if (seconds < 90) return `about ${Math.round(seconds / 10) * 10} seconds left`;
  if (seconds < 5400) return `about ${Math.round(seconds / 60)} minutes left`;
  return `about ${Math.round(seconds / 3600)} hours left`;
}
// What S3's refusal means for the person sending, in words; S3's own code and message follow it.
function refusal(code, message) {
  const said = message.toLowerCase();
  if (code === "EntityTooLarge") return `It is larger than this form takes (${sizeText(range[2])}).`;
  if (code === "EntityTooSmall") return `It is smaller than this form takes (at least ${sizeText(range[1])}).`;
  if (said.includes("expired")) return "This form has expired: ask the sender for a new one.";
  if (said.includes("content-type")) return "Its type is not one this form takes.";
  if (code === "RequestTimeTooSkewed") return "This computer's clock is wrong: set it right, and try again.";
  if (code === "PreconditionFailed") return "A file of that name is already there, and this form cannot replace it.";
  if (said.includes("policy")) return "It does not fit what this form allows.";
  if (code === "SignatureDoesNotMatch" || code === "AccessDenied" || code === "InvalidAccessKeyId") {
    return "The store did not accept this form: ask the sender for a new one.";
  }
  return "The store refused it.";
}
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
// Words, or words and names: a name is a node of its own, drawn as it is, so that it never reorders the words.
function say(said, kind) { status.replaceChildren(...[said].flat()); status.className = kind; }
function problem(file) {
  if (file.size > range[2]) {
    const [size, limit] = twoSizes(file.size, range[2]);
    return `It is ${size}; this form takes up to ${limit}.`;
  }
  if (file.size < range[1]) {
    const [size, least] = twoSizes(file.size, range[1]);
    return `It is ${size}; this form takes at least ${least}.`;
  }
  return null;
}
// One line per file: its name, a state, the progress bar while it is sent, and what happened.
function row(file) {
  const item = document.createElement("li");
  const head = document.createElement("div");
  head.className = "file";
  const state = document.createElement("span");
  state.className = "state";
  const facts = document.createElement("span");
  facts.className = "facts";
  head.append(nameNode(file.name), state);
  const bar = document.createElement("progress");
  bar.max = 100;
  bar.value = 0;
  bar.setAttribute("aria-label", `Sending ${file.name}`);
  bar.hidden = true;
  item.append(head, bar, facts);
  sent.append(item);
  return {
    set(kind, label, ...detail) {
      item.className = kind;
      state.textContent = label;
      facts.replaceChildren(...detail);
      bar.hidden = kind !== "sending";
    },
    progress(part) { bar.value = Math.round(part * 100); },
    item,
  };
}
function formData(file) {
  const data = new FormData();
  for (const field of form.querySelectorAll("input[type=hidden]")) data.append(field.name, field.value);
  // The form's one exact type is sent as the form says, whatever the browser guesses of the file.
  data.append("file", file);  // S3 reads the fields before the file, and ignores any after it
  return data;
}
function upload(file, line) {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    const started = performance.now();
    line.set("sending", "Sending", `0 of ${sizeText(file.size)}`);
    request.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable || !event.total) return;
      line.progress(event.loaded / event.total);
      const elapsed = (performance.now() - started) / 1000;
      const rate = event.loaded / Math.max(elapsed, 0.001);
      const left = elapsed > 1 && event.loaded ? `, ${timeLeft((event.total - event.loaded) / rate)}` : "";
      line.set("sending", "Sending", `${sizeText(event.loaded)} of ${sizeText(event.total)}${left}`);
    });
    request.addEventListener("load", () => {
      if (request.status >= 200 && request.status < 300) {
        line.progress(1);
        line.set("done", "Uploaded", `${sizeText(file.size)} arrived.`);
        resolve(true);
        return;
      }
      const text = request.responseText;
      const code = (text.match(/<Code>([^<]*)<\/Code>/) || [])[1] || `HTTP ${request.status}`;
      const message = (text.match(/<Message>([^<]*)<\/Message>/) || [])[1] || request.statusText;
      // What the store says is its data: drawn as a name is, so that it cannot reorder the page's own words.
      line.set("refused", "Refused", `${refusal(code, message)} The store said: `, nameNode(`${code}: ${message}`));
      resolve(false);
    });
    request.addEventListener("error", () => {
      line.set("failed", "Failed", "The connection to the store was lost. Try again.");
      const again = document.createElement("button");
      again.type = "button";
      again.textContent = "Try again";
      again.addEventListener("click", async () => {
        again.remove();
        const sending = upload(file, line);
        summarize();
        await sending;
        summarize();
      });
      line.item.append(again);
      resolve(false);
    });
    request.open("POST", form.action);
    request.send(formData(file));
  });
}
function summarize() {
  const states = [...sent.children].map((item) => item.className);
  const done = states.filter((kind) => kind === "done").length;
  if (states.some((kind) => kind === "sending" || kind === "waiting")) {
    say(`Sending: ${done} of ${states.length} uploaded so far.`, "");
    return;
  }
  const all = states.length;
  if (done === all) say(all === 1 ? "Done: the file was uploaded." : `Done: all ${all} files were uploaded.`, "good");
  else say(all === 1 ? "The file was not uploaded." : `${done} of ${all} files were uploaded.`, "bad");
}
input.addEventListener("change", () => say("", ""));
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const files = [...input.files];
  if (!files.length) { say("Choose a file first.", "bad"); return; }
  send.disabled = true;
  if (!await canRead()) {
    send.disabled = false;
    const bad = files.map(problem).find((text) => text);
    if (bad) { say(["Not sent: ", nameNode(files[0].name), `: ${bad}`], "bad"); return; }
    if (files.length > 1) { say("This store lets the page send one file at a time: choose one.", "bad"); return; }
    // The store does not let a page read its answers (no CORS): the browser posts the form and shows S3's own.
    if (form.elements["Content-Type"]) form.elements["Content-Type"].value = formData(files[0]).get("Content-Type");
    say(["Sending ", nameNode(files[0].name), "; the store's answer follows."], "");
    HTMLFormElement.prototype.submit.call(form);
    return;
  }
  const lines = files.map((file) => [file, row(file)]);
  for (const [file, line] of lines) {
    const bad = problem(file);
    if (bad) line.set("refused", "Not sent", bad);
    else line.set("waiting", "Waiting", sizeText(file.size));
  }
  for (const [file, line] of lines) {
    if (line.item.className === "waiting") {
      const sending = upload(file, line);
      summarize();
      await sending;
    }
  }
  send.disabled = false;
  form.reset();
  summarize();
});
