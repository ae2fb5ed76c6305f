/*
 * 嘉定企业服务 · 12345坐席助手 (the agent console, served at /console).
 *
 * The page is static; everything comes from the service's staff API with the agent's
 * bearer token, which is kept in sessionStorage (this tab only). Data is always put into
 * the page with textContent, never as HTML. No dependencies, no build step.
 */
(function () {
  "use strict";

  var TOKEN_KEY = "jd-console-token";
  var WEEKDAYS = "日一二三四五六";
  var FIELDS = [
    "enterprise_name",
    "credit_code",
    "contact_name",
    "phone",
    "town",
    "category",
    "description",
  ];
  var ACTORS = { enterprise: "企业", system: "系统" };

  var state = {
    token: null,
    me: null,
    options: null,
    appealKey: null, // one Idempotency-Key per form fill: a double click files once
    filing: false,
  };

  // ---- helpers ---------------------------------------------------------------------------
  function $(id) {
    return document.getElementById(id);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function readToken() {
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch (e) {
      return null;
    }
  }

  function saveToken(token) {
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) {
      /* storage disabled: the token lives in memory for this page only */
    }
  }

  function newKey() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === "function") return "console-" + c.randomUUID();
    // randomUUID needs a secure context; getRandomValues does not.
    var bytes = c.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return (b + 0x100).toString(16).slice(1);
      })
      .join("");
    return (
      "console-" +
      [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-")
    );
  }

  // "2026-03-11T17:00:00+08:00" (the service gives Shanghai time) → parts, read as written.
  function parts(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso || "");
    if (!m) return null;
    return { y: +m[1], mo: +m[2], d: +m[3], time: m[4] + ":" + m[5] };
  }

  // "11月30日（周一）": how the chat tells callers a due date (end of that day).
  function formatDate(iso) {
    var p = parts(iso);
    if (!p) return "";
    var weekday = WEEKDAYS.charAt(new Date(Date.UTC(p.y, p.mo - 1, p.d)).getUTCDay());
    return p.mo + "月" + p.d + "日（周" + weekday + "）";
  }

  function formatDay(iso) {
    var p = parts(iso);
    return p ? formatDate(iso) + p.time : "";
  }

  function formatShort(iso) {
    var p = parts(iso);
    if (!p) return "";
    var year = p.y === new Date().getFullYear() ? "" : p.y + "年";
    return year + p.mo + "月" + p.d + "日 " + p.time;
  }

  function formatPhone(e164) {
    if (!e164) return "（已清除）";
    if (e164.indexOf("+86") !== 0) return e164;
    var national = e164.slice(3);
    if (national.charAt(0) === "1") return national;
    if (national.indexOf("21") === 0) return "021-" + national.slice(2);
    return "0" + national;
  }

  function label(list, code, key) {
    for (var i = 0; i < (list || []).length; i++) {
      if (list[i].code === code) return list[i][key || "label"];
    }
    return code || "";
  }

  function statusLabel(code) {
    return label(state.options && state.options.statuses, code);
  }

  function categoryLabel(code) {
    return label(state.options && state.options.categories, code);
  }

  function departmentName(code) {
    return label(state.options && state.options.departments, code, "name");
  }

  function actorName(actor) {
    if (ACTORS[actor]) return ACTORS[actor];
    var channels = (state.options && state.options.channels) || {};
    if (channels[actor]) return channels[actor];
    return departmentName(actor);
  }

  function copyFallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "-1000px";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (e) {
      ok = false;
    }
    document.body.removeChild(area);
    return ok;
  }

  function copyText(text, button) {
    var original = button.dataset.label || button.textContent;
    button.dataset.label = original;
    function done(ok) {
      button.textContent = ok ? "已复制" : "复制失败，请手动选中文字复制";
      button.classList.toggle("c-copied", ok);
      setTimeout(function () {
        button.textContent = original;
        button.classList.remove("c-copied");
      }, 2000);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () {
          done(true);
        },
        function () {
          done(copyFallback(text));
        }
      );
    } else {
      done(copyFallback(text));
    }
  }

  // ---- the API ---------------------------------------------------------------------------
  // Resolves to {status, ok, data}; rejects only when the service cannot be reached.
  function api(method, path, body, headers) {
    var init = {
      method: method,
      headers: { Accept: "application/json", Authorization: "Bearer " + (state.token || "") },
      cache: "no-store",
      credentials: "same-origin",
    };
    Object.keys(headers || {}).forEach(function (name) {
      init.headers[name] = headers[name];
    });
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try {
          data = text ? JSON.parse(text) : null;
        } catch (e) {
          data = null;
        }
        if (response.status === 401 && state.me) {
          signOut("登录已失效（令牌无效或已停用），请重新输入令牌。");
        }
        return { status: response.status, ok: response.ok, data: data };
      });
    });
  }

  var OFFLINE = "无法连接服务，请检查网络后重试。";

  // ---- signing in ------------------------------------------------------------------------
  function showSignIn(message) {
    $("c-app").hidden = true;
    $("c-who").hidden = true;
    $("c-signin").hidden = false;
    $("c-signin-error").textContent = message || "";
    $("c-token").focus();
  }

  // Nothing of the previous agent's work stays on the page after signing out.
  function resetApp() {
    clear($("c-kb-results"));
    $("c-kb-note").textContent = "";
    $("c-question").value = "";
    clear($("c-detail"));
    $("c-detail").hidden = true;
    $("c-lookup-no").value = "";
    $("c-lookup-error").textContent = "";
    clear($("c-queue-rows"));
    $("c-queue-summary").textContent = "";
    startFill();
  }

  function signOut(message) {
    state.token = null;
    state.me = null;
    saveToken(null);
    resetApp();
    document.body.dataset.signedIn = "false";
    showSignIn(message);
  }

  function signIn(token, fromStorage) {
    state.token = token;
    var button = $("c-signin-button");
    button.disabled = true;
    $("c-signin-error").textContent = fromStorage ? "" : "正在验证…";
    return api("GET", "/api/staff/me")
      .then(function (res) {
        if (res.status === 401) {
          state.token = null;
          saveToken(null);
          showSignIn(
            fromStorage
              ? "登录已失效，请重新输入令牌。"
              : "令牌不正确或已停用，请核对后重新输入。"
          );
          return;
        }
        if (!res.ok) {
          showSignIn("登录失败（错误代码 " + res.status + "），请稍后再试。");
          return;
        }
        state.me = res.data;
        saveToken(token);
        $("c-token").value = "";
        $("c-signin-error").textContent = "";
        $("c-dept").textContent = res.data.name;
        $("c-who").hidden = false;
        $("c-signin").hidden = true;
        $("c-app").hidden = false;
        document.body.dataset.signedIn = "true";
        return loadOptions();
      })
      .catch(function () {
        showSignIn(OFFLINE);
      })
      .then(function () {
        button.disabled = false;
      });
  }

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
      options.fields.forEach(function (field) {
        var labelNode = document.querySelector('label[for="c-f-' + field.name + '"]');
        if (labelNode) labelNode.textContent = field.label;
        var input = $("c-f-" + field.name);
        if (input && input.tagName !== "SELECT") input.placeholder = "例如：" + field.example;
      });
      fillSelect($("c-f-town"), options.towns);
      fillSelect($("c-f-category"), options.categories, "code", "label");
      fillSelect($("c-q-status"), options.statuses, "code", "label");
      fillSelect($("c-q-town"), options.towns);
      fillSelect($("c-q-department"), options.departments, "code", "name");
      $("c-q-department-label").hidden = !(state.me && state.me.triage);
      startFill();
      document.body.dataset.ready = "true";
      return loadQueue();
    });
  }

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
    var item = el("li", "c-result" + (result.selected ? "" : " c-result--weak"));
    item.dataset.entryId = result.entry_id;
    var head = el("div", "c-result-head");
    head.appendChild(el("span", "c-badge " + badge[1], badge[0]));
    head.appendChild(el("h3", "c-result-title", result.title));
    item.appendChild(head);
    item.appendChild(el("p", "c-result-depts", departmentsLine(result.departments || {})));
    item.appendChild(el("p", "c-answer", result.text));
    var actions = el("div", "c-actions");
    var copy = el("button", "c-button c-button--quiet c-copy", "复制答复");
    copy.type = "button";
    copy.addEventListener("click", function () {
      copyText(result.text, copy);
    });
    actions.appendChild(copy);
    actions.appendChild(el("span", "c-cite", result.citation));
    item.appendChild(actions);
    list.appendChild(item);
  }

  function searchKb(event) {
    event.preventDefault();
    var question = $("c-question").value.trim();
    var note = $("c-kb-note");
    var list = $("c-kb-results");
    if (!question) {
      note.textContent = "请先输入来电人的问题。";
      note.className = "c-note c-note--warn";
      $("c-question").focus();
      return;
    }
    var button = $("c-kb-button");
    button.disabled = true;
    note.className = "c-note";
    note.textContent = "正在查找…";
    api("GET", "/api/staff/kb/search?q=" + encodeURIComponent(question))
      .then(function (res) {
        clear(list);
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
        note.textContent = OFFLINE;
      })
      .then(function () {
        button.disabled = false;
      });
  }

  // ---- filing an appeal ------------------------------------------------------------------
  function fieldInput(name) {
    return $("c-f-" + name);
  }

  function setFieldError(name, message) {
    var input = fieldInput(name);
    var error = $("c-e-" + name);
    error.textContent = message || "";
    if (message) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", "c-e-" + name);
    } else {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    }
  }

  function clearErrors() {
    FIELDS.forEach(function (name) {
      setFieldError(name, "");
    });
    $("c-appeal-error").textContent = "";
  }

  function startFill() {
    state.appealKey = newKey();
    $("c-appeal-form").reset();
    clearErrors();
    $("c-appeal-fields").disabled = false;
    $("c-appeal-submit").disabled = false;
    $("c-appeal-form").hidden = false;
    $("c-filed").hidden = true;
  }

  function readBack(created) {
    return (
      "您的诉求已登记，诉求编号是 " +
      created.tracking_no +
      "。拟由" +
      created.proposed_department +
      "办理，区经委确认后分派；按本区服务标准，将于" +
      formatDate(created.contact_due_at) +
      "前与您联系，" +
      formatDate(created.due_at) +
      "前办结答复。查询进度时请提供诉求编号和联系电话的后四位。"
    );
  }

  function showFiled(created) {
    $("c-filed-no").textContent = created.tracking_no;
    $("c-filed-dept").textContent = created.proposed_department + "（待区经委确认）";
    $("c-filed-contact").textContent = formatDay(created.contact_due_at) + " 前联系来电人";
    $("c-filed-due").textContent = formatDay(created.due_at) + " 前办结答复";
    $("c-filed-readback").textContent = readBack(created);
    $("c-appeal-form").hidden = true;
    $("c-filed").hidden = false;
    $("c-filed").focus();
  }

  function fileAppeal(event) {
    event.preventDefault();
    if (state.filing) return;
    clearErrors();
    var body = { channel: "hotline" };
    FIELDS.forEach(function (name) {
      body[name] = fieldInput(name).value;
    });
    state.filing = true;
    var submit = $("c-appeal-submit");
    submit.disabled = true;
    submit.textContent = "正在登记…";
    api("POST", "/api/appeals", body, { "Idempotency-Key": state.appealKey })
      .then(function (res) {
        if (res.status === 201) {
          $("c-appeal-fields").disabled = true;
          showFiled(res.data);
          loadQueue();
          return;
        }
        var detail = res.data && res.data.detail;
        if (res.status === 422 && Array.isArray(detail)) {
          var first = null;
          var other = [];
          detail.forEach(function (problem) {
            var name = problem.loc && problem.loc[problem.loc.length - 1];
            if (FIELDS.indexOf(name) >= 0) {
              setFieldError(name, problem.msg);
              first = first || name;
            } else {
              other.push(problem.msg);
            }
          });
          $("c-appeal-error").textContent =
            (first ? "有几项需要修改，请按提示核对后再登记。" : "") + other.join(" ");
          if (first) fieldInput(first).focus();
          return;
        }
        if (res.status === 422) {
          // The same form was filed already with other contents (its reply was lost).
          $("c-appeal-error").textContent =
            "这份表单之前已提交过，内容后来又有改动。请先在队列中核对是否已登记；需要重新登记请点「清空重填」。";
          return;
        }
        $("c-appeal-error").textContent = "登记失败（错误代码 " + res.status + "），请稍后再试。";
      })
      .catch(function () {
        $("c-appeal-error").textContent =
          "无法连接服务，诉求可能还没有登记。请稍后再点「登记诉求」：同一份表单不会重复登记。";
      })
      .then(function () {
        state.filing = false;
        submit.textContent = "登记诉求";
        submit.disabled = !$("c-filed").hidden;
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

  // ---- wiring ----------------------------------------------------------------------------
  function start() {
    $("c-signin-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var token = $("c-token").value.trim();
      if (!token) {
        $("c-signin-error").textContent = "请输入工作人员令牌。";
        return;
      }
      signIn(token, false);
    });
    $("c-signout").addEventListener("click", function () {
      signOut("已退出登录。");
    });
    $("c-kb-form").addEventListener("submit", searchKb);
    $("c-appeal-form").addEventListener("submit", fileAppeal);
    $("c-appeal-reset").addEventListener("click", startFill);
    $("c-filed-next").addEventListener("click", function () {
      startFill();
      fieldInput("enterprise_name").focus();
    });
    $("c-filed-copy").addEventListener("click", function () {
      copyText($("c-filed-readback").textContent, $("c-filed-copy"));
    });
    FIELDS.forEach(function (name) {
      var input = fieldInput(name);
      var eventName = input.tagName === "SELECT" ? "change" : "input";
      input.addEventListener(eventName, function () {
        setFieldError(name, "");
      });
    });
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

    var stored = readToken();
    if (stored) signIn(stored, true);
    else showSignIn("");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
