/* 12345坐席助手 · 政策问答: finds the policy answer for a caller's question (see core.js). */
(function (C) {
  "use strict";

  // ---- policy questions ------------------------------------------------------------------
  var BADGES = {
    answer: ["建议答复", "c-badge--best"],
    choices: ["可能相关，请向来电人确认", "c-badge--choice"],
    weak: ["相关性低，仅供参考", "c-badge--weak"],
  };

  function departmentsLine(departments) {
    var lead = (departments.lead || []).join("、");
    var responsible = (departments.responsible || []).join("、");
    var line = [];
    if (lead) line.push("牵头单位：" + lead);
    if (responsible) line.push("责任单位：" + responsible);
    return line.join("；") || "原文未写明具体部门";
  }

  function renderResult(list, result, decision) {
    var badge = result.selected ? BADGES[decision] : BADGES.weak;
    var item = C.el("li", "c-result" + (result.selected ? "" : " c-result--weak"));
    item.dataset.entryId = result.entry_id;
    var head = C.el("div", "c-result-head");
    head.appendChild(C.el("span", "c-badge " + badge[1], badge[0]));
    head.appendChild(C.el("h3", "c-result-title", result.title));
    item.appendChild(head);
    item.appendChild(C.el("p", "c-result-depts", departmentsLine(result.departments || {})));
    item.appendChild(C.el("p", "c-answer", result.text));
    var actions = C.el("div", "c-actions");
    var copy = C.el("button", "c-button c-button--quiet c-copy", "复制答复");
    copy.type = "button";
    copy.addEventListener("click", function () {
      C.copyText(result.text, copy);
    });
    actions.appendChild(copy);
    actions.appendChild(C.el("span", "c-cite", result.citation));
    item.appendChild(actions);
    list.appendChild(item);
  }

  function searchKb(event) {
    event.preventDefault();
    var question = C.$("c-question").value.trim();
    var note = C.$("c-kb-note");
    var list = C.$("c-kb-results");
    if (!question) {
      note.textContent = "请先输入来电人的问题。";
      note.className = "c-note c-note--warn";
      C.$("c-question").focus();
      return;
    }
    var button = C.$("c-kb-button");
    button.disabled = true;
    note.className = "c-note";
    note.textContent = "正在查找…";
    C.api("GET", "/api/staff/kb/search?q=" + encodeURIComponent(question))
      .then(function (res) {
        C.clear(list);
        if (!res.ok) {
          note.className = "c-note c-note--warn";
          note.textContent =
            res.status === 422 ? "问题请控制在500字以内。" : "查找失败（错误代码 " + res.status + "），请稍后再试。";
          return;
        }
        var data = res.data;
        list.dataset.decision = data.decision;
        note.className = "c-note" + (data.decision === "answer" ? "" : " c-note--warn");
        note.textContent = data.note || "找到以下答复，可直接告知来电人：";
        data.results.forEach(function (result) {
          renderResult(list, result, data.decision);
        });
      })
      .catch(function () {
        note.className = "c-note c-note--warn";
        note.textContent = C.OFFLINE;
      })
      .then(function () {
        button.disabled = false;
      });
  }

  C.wire(function () {
    C.$("c-kb-form").addEventListener("submit", searchKb);
  });
})(window.JDConsole);
