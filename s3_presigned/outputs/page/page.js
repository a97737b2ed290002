"use strict";
// Say when the links stop working in the reader's own time zone, and how soon, as the reader's clock has it.
(() => {
  const time = document.getElementById("expires");
  const end = new Date(time.dateTime);
  const parts = new Intl.DateTimeFormat("en-GB", {
    weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(end);
  const part = (type) => parts.find((p) => p.type === type).value;
  const year = end.getFullYear() === new Date().getFullYear() ? "" : ` ${end.getFullYear()}`;
  const when = `${part("weekday")} ${part("day")} ${part("month")}${year}, ${part("hour")}:${part("minute")}`;
  const relative = new Intl.RelativeTimeFormat("en", {numeric: "auto"});
  function soon(seconds) {
    const away = Math.abs(seconds);
    if (away >= 36 * 3600) return relative.format(Math.round(seconds / 86400), "day");
    if (away >= 3540) return relative.format(Math.round(seconds / 3600), "hour");
    if (away >= 60) return relative.format(Math.round(seconds / 60), "minute");
    return seconds > 0 ? "in less than a minute" : "just now";
  }
  function update() {
    const left = (end - Date.now()) / 1000;
    time.textContent = left > 0 ? `${when}, ${soon(left)}` : `${when}: expired ${soon(left)}`;
    document.body.classList.toggle("expired", left <= 0);
  }
  update();
  setInterval(update, 30000);
  // And at the moment it expires, which links last at most 7 days: within one timer's reach.
  setTimeout(update, Math.max(0, end - Date.now()) + 100);
})();
