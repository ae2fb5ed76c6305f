/*
 * 12345坐席助手 · 人工会话 (human handoffs), part two: the open conversation — its
 * transcript, taking it, handing it back, closing it and replying (see handoff.js).
 */
(function (C) {
  "use strict";

  // ---- the open conversation ----
  // Polled every 2 s while it is open, the same way as the list (see handoff.js).
  var HANDOFF_DETAIL_MS = 2000;
  var SPEAKERS = { user: "用户", bot: "智能助手", agent: "工作人员" };

  function transcriptLine(line) {
    var item = C.el("li", "c-line c-line--" + line.from);
    item.dataset.from = line.from;
    var head = C.el("div", "c-line-head");
    head.appendChild(C.el("span", "c-line-who", SPEAKERS[line.from] || line.from));
    var time = C.el("time", "c-line-time", C.clock(line.at));
    if (line.at) time.setAttribute("datetime", line.at);
    head.appendChild(time);
    item.appendChild(head);
    item.appendChild(C.el("p", "c-line-text", line.text));
    return item;
  }

  function lineKey(line) {
    return line ? line.from + "|" + line.at + "|" + line.text : "";
  }

  // The transcript only grows: new lines are appended (the log region reads out just those);
  // anything else (another conversation, a shorter or different history) redraws it.
  function renderTranscript(lines) {
    var box = C.$("c-handoff-log");
    var list = C.$("c-handoff-transcript");
    var wasEmpty = C.hand.lines === 0;
    var atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 24;
    if (lines.length < C.hand.lines || (C.hand.lines && lineKey(lines[C.hand.lines - 1]) !== C.hand.lastLine)) {
      C.clear(list);
      C.hand.lines = 0;
      wasEmpty = true;
    }
    var added = lines.length - C.hand.lines;
    for (var i = C.hand.lines; i < lines.length; i++) list.appendChild(transcriptLine(lines[i]));
    C.hand.lines = lines.length;
    C.hand.lastLine = lineKey(lines[lines.length - 1]);
    if (added > 0 && (atBottom || wasEmpty || C.hand.stick)) {
      box.scrollTop = box.scrollHeight;
      C.hand.stick = false;
    }
  }

  function resetTranscript() {
    C.clear(C.$("c-handoff-transcript"));
    C.hand.lines = 0;
    C.hand.lastLine = "";
    C.hand.stick = false;
  }

  function setActing(busy) {
    C.hand.acting = busy;
    ["c-handoff-take", "c-handoff-release", "c-handoff-close"].forEach(function (id) {
      C.$(id).disabled = busy;
    });
  }

  function setSending(busy) {
    C.hand.sending = busy;
    var send = C.$("c-handoff-send");
    send.disabled = busy;
    send.textContent = busy ? "正在发送…" : "发送";
  }

  function handoffNote(item) {
    var note = C.$("c-handoff-note");
    var text = "";
    var warn = false;
    if (C.isEnded(item)) {
      var how = item.status === "closed" ? "" : "（" + (item.status_label || item.status) + "）";
      text = "本会话已结束" + how + "，不能再回复。";
      warn = true;
    } else if (item.status === "waiting") {
      text = "用户正在等待人工接入；点「接入」后即可回复。";
    } else if (!item.mine) {
      text = "本会话已由 " + C.takerName(item) + " 接入，只有接入的工作人员可以回复。";
    }
    note.className = "c-note" + (warn ? " c-note--warn" : "");
    if (note.textContent !== text) note.textContent = text;
  }

  function renderHandoff(item) {
    var box = C.$("c-handoff-detail");
    box.dataset.id = String(item.id);
    box.dataset.status = item.status;
    box.dataset.mine = item.mine ? "true" : "false";
    C.$("c-handoff-detail-title").textContent = "会话 #" + item.id;
    C.statusBadge(C.$("c-handoff-state"), item);
    var meta = [item.channel_label, item.reason_label];
    if (item.opened_at) meta.push(C.formatShort(item.opened_at) + " 发起");
    meta.push(C.handoffTiming(item));
    C.$("c-handoff-meta").textContent = meta.join(" · ");
    var mine = C.isMine(item);
    C.$("c-handoff-take").hidden = item.status !== "waiting";
    C.$("c-handoff-release").hidden = !mine;
    C.$("c-handoff-close").hidden = !(item.status === "waiting" || mine);
    C.$("c-handoff-form").hidden = !mine;
    handoffNote(item);
    if (Array.isArray(item.transcript)) renderTranscript(item.transcript);
  }

  function saveDraft() {
    if (C.hand.openId === null) return;
    var text = C.$("c-handoff-text").value;
    if (text) C.hand.drafts[C.hand.openId] = text;
    else delete C.hand.drafts[C.hand.openId];
  }

  function openHandoff(id) {
    id = String(id);
    if (C.hand.openId !== id) {
      saveDraft();
      C.hand.openId = id;
      C.hand.detailAgain = false;
      resetTranscript();
      C.showHandoffError("", null);
      C.$("c-handoff-text").value = C.hand.drafts[id] || "";
      var item = C.hand.items[id];
      if (item) {
        renderHandoff(item);
      } else {
        C.$("c-handoff-detail-title").textContent = "会话 #" + id;
        C.$("c-handoff-meta").textContent = "正在加载…";
      }
      C.$("c-handoff-placeholder").hidden = true;
      C.$("c-handoff-detail").hidden = false;
      C.markOpenEntry();
    }
    clearTimeout(C.hand.detailTimer);
    C.hand.detailTimer = null;
    loadDetail();
    if (window.matchMedia && window.matchMedia("(max-width: 960px)").matches) {
      C.$("c-handoff-detail").scrollIntoView({ behavior: "smooth", block: "start" });
    }
  }

  function closeHandoff() {
    saveDraft();
    var id = C.hand.openId;
    C.hand.openId = null;
    C.hand.detailAgain = false;
    clearTimeout(C.hand.detailTimer);
    C.hand.detailTimer = null;
    resetTranscript();
    C.$("c-handoff-text").value = "";
    C.$("c-handoff-detail").hidden = true;
    C.$("c-handoff-placeholder").hidden = false;
    C.markOpenEntry();
    return id;
  }

  function loadDetail() {
    var id = C.hand.openId;
    if (id === null || !C.state.me) return;
    if (C.hand.detailBusy) {
      C.hand.detailAgain = true;
      return;
    }
    clearTimeout(C.hand.detailTimer);
    C.hand.detailTimer = null;
    C.hand.detailBusy = true;
    var gen = C.hand.gen;
    C.api("GET", "/api/staff/handoffs/" + encodeURIComponent(id))
      .then(function (res) {
        if (gen !== C.hand.gen || id !== C.hand.openId) return;
        if (res.ok) {
          C.clearPollError();
          renderHandoff(res.data);
        } else if (res.status === 404) {
          closeHandoff();
          C.showHandoffError(C.handoffProblem(res), "action");
        } else if (res.status !== 401) {
          C.showHandoffError("会话记录加载失败：" + C.handoffProblem(res), "poll");
        }
      })
      .catch(function () {
        if (gen === C.hand.gen && id === C.hand.openId) C.showHandoffError(C.OFFLINE, "poll");
      })
      .then(function () {
        if (gen !== C.hand.gen) return;
        C.hand.detailBusy = false;
        if (C.hand.openId === null) return;
        if (C.hand.detailAgain) {
          C.hand.detailAgain = false;
          loadDetail();
        } else {
          C.hand.detailTimer = setTimeout(loadDetail, HANDOFF_DETAIL_MS);
        }
      });
  }

  // take | release | close: each answers with the item; 409 means someone else got there first.
  function handoffAction(action) {
    var id = C.hand.openId;
    if (id === null || C.hand.acting) return;
    var gen = C.hand.gen;
    setActing(true);
    C.showHandoffError("", null);
    C.api("POST", "/api/staff/handoffs/" + encodeURIComponent(id) + "/" + action)
      .then(function (res) {
        if (gen !== C.hand.gen) return;
        if (res.ok) {
          if (id === C.hand.openId) {
            renderHandoff(res.data);
            if (C.isMine(res.data)) C.$("c-handoff-text").focus();
            else C.$("c-handoff-note").focus();
          }
        } else if (res.status !== 401) {
          C.showHandoffError(C.handoffProblem(res), "action");
        }
        if (res.status !== 401) {
          loadDetail();
          C.loadHandoffs();
        }
      })
      .catch(function () {
        if (gen === C.hand.gen) C.showHandoffError(C.OFFLINE, "action");
      })
      .then(function () {
        if (gen === C.hand.gen) setActing(false);
      });
  }

  function sendReply(event) {
    event.preventDefault();
    var id = C.hand.openId;
    if (id === null || C.hand.sending) return;
    var input = C.$("c-handoff-text");
    var text = input.value.trim();
    if (!text) {
      C.showHandoffError("请先输入回复内容。", "action");
      input.focus();
      return;
    }
    if (text.length > 1000) {
      C.showHandoffError("回复请控制在1000字以内。", "action");
      input.focus();
      return;
    }
    var gen = C.hand.gen;
    setSending(true);
    C.showHandoffError("", null);
    C.api("POST", "/api/staff/handoffs/" + encodeURIComponent(id) + "/messages", { text: text })
      .then(function (res) {
        if (gen !== C.hand.gen) return;
        if (res.ok) {
          if (id === C.hand.openId) {
            input.value = "";
            C.hand.stick = true;
          }
          delete C.hand.drafts[id];
          loadDetail();
          return;
        }
        if (res.status === 401) return;
        C.showHandoffError(C.handoffProblem(res), "action");
        if (res.status === 409 || res.status === 404) {
          loadDetail();
          C.loadHandoffs();
        }
      })
      .catch(function () {
        if (gen === C.hand.gen) {
          C.showHandoffError("无法连接服务，这条回复可能没有发出。请看会话记录确认后再重发。", "action");
        }
      })
      .then(function () {
        if (gen === C.hand.gen) setSending(false);
      });
  }

  C.wire(function () {
    C.$("c-handoff-hide").addEventListener("click", function () {
      var id = closeHandoff();
      var entry = id && C.$("c-handoff-list").querySelector('li[data-id="' + id + '"] button');
      if (entry) entry.focus();
    });
    C.$("c-handoff-take").addEventListener("click", function () {
      handoffAction("take");
    });
    C.$("c-handoff-release").addEventListener("click", function () {
      handoffAction("release");
    });
    C.$("c-handoff-close").addEventListener("click", function () {
      handoffAction("close");
    });
    C.$("c-handoff-form").addEventListener("submit", sendReply);
    C.$("c-handoff-text").addEventListener("keydown", function (event) {
      // Enter sends, Shift+Enter is a new line; Enter that ends an IME composition does neither.
      if (event.key !== "Enter" || event.shiftKey || event.altKey) return;
      if (event.isComposing || event.keyCode === 229) return;
      sendReply(event);
    });
  });

  C.openHandoff = openHandoff;
  C.setActing = setActing;
  C.setSending = setSending;
  C.resetTranscript = resetTranscript;
})(window.JDConsole);
