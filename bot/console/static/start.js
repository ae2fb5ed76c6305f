/* 12345坐席助手: loaded last (defer keeps the order), so every file has registered by now. */
(function (C) {
  "use strict";

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", C.start);
  else C.start();
})(window.JDConsole);
