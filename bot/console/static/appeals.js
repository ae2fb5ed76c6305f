/*
 * 12345坐席助手 · 诉求查询 and 诉求队列 (see core.js), and the options of the
 * appeal form's and the queue's selects, loaded once signed in.
 */
(function (C) {
  "use strict";

  var $ = C.$;
  var el = C.el;
  var clear = C.clear;
  var state = C.state;
  var api = C.api;
  var formatShort = C.formatShort;
  var formatDay = C.formatDay;
  var formatPhone = C.formatPhone;
  var statusLabel = C.statusLabel;
  var categoryLabel = C.categoryLabel;
  var actorName = C.actorName;
  var OFFLINE = C.OFFLINE;

  // ---- options (selects) -----------------------------------------------------------------
  function fillSelect(select, items, valueKey, textKey) {
    var first = select.options[0];
    clear(select);
    select.appendChild(first);
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = valueKey ? item[valueKey] : item;
      option.textContent = textKey ? item[textKey] : item;
      select.appendChild(option);
    });
  }

  function loadOptions() {
    return api("GET", "/api/staff/appeal-options").then(function (res) {
      if (!res.ok) {
        $("c-appeal-error").textContent = "表单选项加载失败，请刷新页面重试。";
        return;
      }
      var options = (state.options = res.data);
      C.buildFields(options.fields);
      fillSelect($("c-q-status"), options.statuses, "code", "label");
      fillSelect($("c-q-town"), options.towns);
      fillSelect($("c-q-department"), options.departments, "code", "name");
      $("c-q-department-label").hidden = !(state.me && state.me.triage);
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
    list.appendChild(el("dt", "", term));
    var dd = el("dd", className || "", value);
    list.appendChild(dd);
    return dd;
  }

  function renderDetail(appeal) {
    var box = $("c-detail");
    clear(box);
    var head = el("div", "c-detail-head");
    head.appendChild(el("span", "c-tracking c-tracking--small", appeal.tracking_no));
    head.appendChild(el("span", "c-status", statusLabel(appeal.status)));
    if (appeal.supervised) head.appendChild(el("span", "c-badge c-badge--late", "督办"));
    box.appendChild(head);
    var facts = el("dl", "c-facts");
    addFact(facts, "受理渠道", actorName(appeal.channel));
    addFact(facts, "企业名称", appeal.enterprise_name);
    addFact(facts, "统一社会信用代码", appeal.credit_code);
    addFact(facts, "联系人", appeal.contact_name);
    addFact(facts, "联系电话", formatPhone(appeal.phone));
    addFact(facts, "所在街镇", appeal.town);
    addFact(facts, "诉求类别", categoryLabel(appeal.category));
    addFact(
      facts,
      "办理部门",
      appeal.lead_department
        ? appeal.lead_department + "（已确认）"
        : appeal.proposed_department + "（拟办理，待区经委确认）"
    );
    addFact(facts, "受理时间", formatShort(appeal.received_at));
    addFact(facts, "联系时限", formatDay(appeal.contact_due_at));
    addFact(facts, "办结时限", formatDay(appeal.due_at));
    addFact(facts, "诉求描述", appeal.description, "c-pre");
    if (appeal.reply) addFact(facts, "答复", appeal.reply, "c-pre");
    if (appeal.rating) {
      addFact(facts, "企业评价", appeal.rating + "分" + (appeal.rating_comment ? "：" + appeal.rating_comment : ""));
    }
    box.appendChild(facts);
    box.appendChild(el("h3", "c-subhead", "办理记录"));
    var events = el("ol", "c-events");
    (appeal.events || []).forEach(function (event) {
      var actions = (state.options && state.options.actions) || {};
      var line = formatShort(event.at) + "　" + (actions[event.action] || event.action) + "　" + actorName(event.actor);
      var item = el("li", "", line);
      if (event.note) item.appendChild(el("span", "c-event-note", "　" + event.note));
      events.appendChild(item);
    });
    box.appendChild(events);
    box.hidden = false;
  }

  function lookUp(number) {
    var error = $("c-lookup-error");
    var box = $("c-detail");
    error.textContent = "";
    var normalised = normaliseNo(number);
    if (!normalised) {
      box.hidden = true;
      error.textContent = "诉求编号的格式应为 JD-20260310-0001（JD、8位日期、序号），请核对。";
      return;
    }
    $("c-lookup-no").value = normalised;
    var button = $("c-lookup-button");
    button.disabled = true;
    api("GET", "/api/staff/appeals/" + encodeURIComponent(normalised))
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
        error.textContent = OFFLINE;
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
      var node = $(pair[1]);
      if (pair[0] === "department" && $("c-q-department-label").hidden) return;
      if (node.value) params.push(pair[0] + "=" + encodeURIComponent(node.value));
    });
    return params.length ? "?" + params.join("&") : "";
  }

  function queueRow(item) {
    var row = el("tr", item.overdue ? "c-row--late" : "");
    row.dataset.trackingNo = item.tracking_no;
    var first = el("td");
    var open = el("button", "c-linklike", item.tracking_no);
    open.type = "button";
    open.title = "查看详情";
    open.addEventListener("click", function () {
      lookUp(item.tracking_no);
      $("c-lookup").scrollIntoView({ behavior: "smooth", block: "start" });
    });
    first.appendChild(open);
    row.appendChild(first);
    var status = el("td", "", statusLabel(item.status));
    if (item.overdue) status.appendChild(el("span", "c-badge c-badge--late", "超期"));
    if (item.supervised) status.appendChild(el("span", "c-badge c-badge--late", "督办"));
    row.appendChild(status);
    var company = el("td");
    company.appendChild(el("div", "", item.enterprise_name));
    if (item.summary) company.appendChild(el("div", "c-summary", item.summary));
    row.appendChild(company);
    row.appendChild(el("td", "", categoryLabel(item.category)));
    row.appendChild(el("td", "", item.town));
    row.appendChild(el("td", "", item.department + (item.department_confirmed ? "" : "（拟）")));
    row.appendChild(el("td", "c-nowrap", item.phone || "（已清除）"));
    row.appendChild(el("td", "c-nowrap", formatShort(item.received_at)));
    row.appendChild(el("td", "c-nowrap", formatShort(item.due_at)));
    return row;
  }

  function loadQueue(event) {
    if (event) event.preventDefault();
    var summary = $("c-queue-summary");
    var rows = $("c-queue-rows");
    summary.textContent = "正在加载…";
    return api("GET", "/api/staff/queue" + queueQuery())
      .then(function (res) {
        if (!res.ok) {
          if (res.status !== 401) summary.textContent = "队列加载失败（错误代码 " + res.status + "），请稍后再试。";
          return;
        }
        var data = res.data;
        clear(rows);
        data.items.forEach(function (item) {
          rows.appendChild(queueRow(item));
        });
        var text = data.total ? "共 " + data.total + " 件，其中超期 " + data.overdue + " 件" : "没有符合条件的诉求";
        if (data.items.length < data.total) text += "（显示前 " + data.items.length + " 件，超期的排在前面）";
        summary.textContent = text + "。";
      })
      .catch(function () {
        summary.textContent = OFFLINE;
      });
  }

  C.wire(function () {
    $("c-lookup-form").addEventListener("submit", function (event) {
      event.preventDefault();
      lookUp($("c-lookup-no").value);
    });
    $("c-queue-form").addEventListener("submit", loadQueue);
    ["c-q-status", "c-q-department", "c-q-town", "c-q-overdue"].forEach(function (id) {
      $(id).addEventListener("change", function () {
        loadQueue();
      });
    });
  });

  C.loadOptions = loadOptions;
  C.loadQueue = loadQueue;
})(window.JDConsole);
