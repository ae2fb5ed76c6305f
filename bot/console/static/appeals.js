/*
 * 12345坐席助手 · 诉求查询 and 诉求队列 (see core.js), and the options of the
 * appeal form's and the queue's selects, loaded once signed in.
 */
(function (C) {
  "use strict";

  // ---- options (selects) -----------------------------------------------------------------
  function fillSelect(select, items, valueKey, textKey) {
    var first = select.options[0];
    C.clear(select);
    select.appendChild(first);
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = valueKey ? item[valueKey] : item;
      option.textContent = textKey ? item[textKey] : item;
      select.appendChild(option);
    });
  }

  function loadOptions() {
    return C.api("GET", "/api/staff/appeal-options").then(function (res) {
      if (!res.ok) {
        C.$("c-appeal-error").textContent = "表单选项加载失败，请刷新页面重试。";
        return;
      }
      var options = (C.state.options = res.data);
      C.buildFields(options.fields);
      fillSelect(C.$("c-q-status"), options.statuses, "code", "label");
      fillSelect(C.$("c-q-town"), options.towns);
      fillSelect(C.$("c-q-department"), options.departments, "code", "name");
      C.$("c-q-department-label").hidden = !(C.state.me && C.state.me.triage);
      C.startFill();
      document.body.dataset.ready = "true";
      return loadQueue();
    });
  }

  // ---- looking an appeal up --------------------------------------------------------------
  function normaliseNo(text) {
    var plain = (text.normalize ? text.normalize("NFKC") : text).replace(/\s+/g, "").toUpperCase();
    var m = /^JD-?(\d{8})-?(\d{4,})$/.exec(plain);
    return m ? "JD-" + m[1] + "-" + m[2] : null;
  }

  function addFact(list, term, value, className) {
    list.appendChild(C.el("dt", "", term));
    var dd = C.el("dd", className || "", value);
    list.appendChild(dd);
    return dd;
  }

  function renderDetail(appeal) {
    var box = C.$("c-detail");
    C.clear(box);
    var head = C.el("div", "c-detail-head");
    head.appendChild(C.el("span", "c-tracking c-tracking--small", appeal.tracking_no));
    head.appendChild(C.el("span", "c-status", C.statusLabel(appeal.status)));
    if (appeal.supervised) head.appendChild(C.el("span", "c-badge c-badge--late", "督办"));
    box.appendChild(head);
    var facts = C.el("dl", "c-facts");
    addFact(facts, "受理渠道", C.actorName(appeal.channel));
    addFact(facts, "企业名称", appeal.enterprise_name);
    addFact(facts, "统一社会信用代码", appeal.credit_code);
    addFact(facts, "联系人", appeal.contact_name);
    addFact(facts, "联系电话", C.formatPhone(appeal.phone));
    addFact(facts, "所在街镇", appeal.town);
    addFact(facts, "诉求类别", C.categoryLabel(appeal.category));
    addFact(
      facts,
      "办理部门",
      appeal.lead_department
        ? appeal.lead_department + "（已确认）"
        : appeal.proposed_department + "（拟办理，待区经委确认）"
    );
    addFact(facts, "受理时间", C.formatShort(appeal.received_at));
    addFact(facts, "联系时限", C.formatDay(appeal.contact_due_at));
    addFact(facts, "办结时限", C.formatDay(appeal.due_at));
    addFact(facts, "诉求描述", appeal.description, "c-pre");
    if (appeal.reply) addFact(facts, "答复", appeal.reply, "c-pre");
    if (appeal.rating) {
      addFact(facts, "企业评价", appeal.rating + "分" + (appeal.rating_comment ? "：" + appeal.rating_comment : ""));
    }
    box.appendChild(facts);
    box.appendChild(C.el("h3", "c-subhead", "办理记录"));
    var events = C.el("ol", "c-events");
    (appeal.events || []).forEach(function (event) {
      var actions = (C.state.options && C.state.options.actions) || {};
      var line = C.formatShort(event.at) + "　" + (actions[event.action] || event.action) + "　" + C.actorName(event.actor);
      var item = C.el("li", "", line);
      if (event.note) item.appendChild(C.el("span", "c-event-note", "　" + event.note));
      events.appendChild(item);
    });
    box.appendChild(events);
    box.hidden = false;
  }

  function lookUp(number) {
    var error = C.$("c-lookup-error");
    var box = C.$("c-detail");
    error.textContent = "";
    var normalised = normaliseNo(number);
    if (!normalised) {
      box.hidden = true;
      error.textContent = "诉求编号的格式应为 JD-20260310-0001（JD、8位日期、序号），请核对。";
      return;
    }
    C.$("c-lookup-no").value = normalised;
    var button = C.$("c-lookup-button");
    button.disabled = true;
    C.api("GET", "/api/staff/appeals/" + encodeURIComponent(normalised))
      .then(function (res) {
        if (res.ok) {
          renderDetail(res.data);
          return;
        }
        box.hidden = true;
        if (res.status === 404) {
          error.textContent =
            "没有找到诉求 " + normalised + "。请核对编号；不归本部门办理的诉求，本部门无法查看。";
        } else if (res.status !== 401) {
          error.textContent = "查询失败（错误代码 " + res.status + "），请稍后再试。";
        }
      })
      .catch(function () {
        error.textContent = C.OFFLINE;
      })
      .then(function () {
        button.disabled = false;
      });
  }

  // ---- the queue -------------------------------------------------------------------------
  function queueQuery() {
    var params = [];
    [
      ["status", "c-q-status"],
      ["department", "c-q-department"],
      ["town", "c-q-town"],
      ["overdue", "c-q-overdue"],
    ].forEach(function (pair) {
      var node = C.$(pair[1]);
      if (pair[0] === "department" && C.$("c-q-department-label").hidden) return;
      if (node.value) params.push(pair[0] + "=" + encodeURIComponent(node.value));
    });
    return params.length ? "?" + params.join("&") : "";
  }

  function queueRow(item) {
    var row = C.el("tr", item.overdue ? "c-row--late" : "");
    row.dataset.trackingNo = item.tracking_no;
    var first = C.el("td");
    var open = C.el("button", "c-linklike", item.tracking_no);
    open.type = "button";
    open.title = "查看详情";
    open.addEventListener("click", function () {
      lookUp(item.tracking_no);
      C.$("c-lookup").scrollIntoView({ behavior: "smooth", block: "start" });
    });
    first.appendChild(open);
    row.appendChild(first);
    var status = C.el("td", "", C.statusLabel(item.status));
    if (item.overdue) status.appendChild(C.el("span", "c-badge c-badge--late", "超期"));
    if (item.supervised) status.appendChild(C.el("span", "c-badge c-badge--late", "督办"));
    row.appendChild(status);
    var company = C.el("td");
    company.appendChild(C.el("div", "", item.enterprise_name));
    if (item.summary) company.appendChild(C.el("div", "c-summary", item.summary));
    row.appendChild(company);
    row.appendChild(C.el("td", "", C.categoryLabel(item.category)));
    row.appendChild(C.el("td", "", item.town));
    row.appendChild(C.el("td", "", item.department + (item.department_confirmed ? "" : "（拟）")));
    row.appendChild(C.el("td", "c-nowrap", item.phone || "（已清除）"));
    row.appendChild(C.el("td", "c-nowrap", C.formatShort(item.received_at)));
    row.appendChild(C.el("td", "c-nowrap", C.formatShort(item.due_at)));
    return row;
  }

  function loadQueue(event) {
    if (event) event.preventDefault();
    var summary = C.$("c-queue-summary");
    var rows = C.$("c-queue-rows");
    summary.textContent = "正在加载…";
    return C.api("GET", "/api/staff/queue" + queueQuery())
      .then(function (res) {
        if (!res.ok) {
          if (res.status !== 401) summary.textContent = "队列加载失败（错误代码 " + res.status + "），请稍后再试。";
          return;
        }
        var data = res.data;
        C.clear(rows);
        data.items.forEach(function (item) {
          rows.appendChild(queueRow(item));
        });
        var text = data.total ? "共 " + data.total + " 件，其中超期 " + data.overdue + " 件" : "没有符合条件的诉求";
        if (data.items.length < data.total) text += "（显示前 " + data.items.length + " 件，超期的排在前面）";
        summary.textContent = text + "。";
      })
      .catch(function () {
        summary.textContent = C.OFFLINE;
      });
  }

  C.wire(function () {
    C.$("c-lookup-form").addEventListener("submit", function (event) {
      event.preventDefault();
      lookUp(C.$("c-lookup-no").value);
    });
    C.$("c-queue-form").addEventListener("submit", loadQueue);
    ["c-q-status", "c-q-department", "c-q-town", "c-q-overdue"].forEach(function (id) {
      C.$(id).addEventListener("change", function () {
        loadQueue();
      });
    });
  });

  C.loadOptions = loadOptions;
  C.loadQueue = loadQueue;
})(window.JDConsole);
