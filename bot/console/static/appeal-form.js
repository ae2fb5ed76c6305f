/* 12345坐席助手 · 代为登记诉求: files an appeal for a caller (see core.js). */
(function (C) {
  "use strict";

  // ---- filing an appeal ------------------------------------------------------------------
  // The fields come from the console API (GET /api/staff/appeal-options, bot.appeals.fields'
  // declaration): names, wording, kind and length. The page holds no list of its own.
  var FIELDS = [];

  function inputFor(field) {
    var input;
    if (field.kind === "choice") {
      input = document.createElement("select");
      var blank = document.createElement("option");
      blank.value = "";
      blank.textContent = "请选择";
      input.appendChild(blank);
      field.choices.forEach(function (choice) {
        var option = document.createElement("option");
        option.value = choice.value;
        option.textContent = choice.label;
        input.appendChild(option);
      });
    } else {
      input = document.createElement(field.kind === "long_text" ? "textarea" : "input");
      if (field.kind === "long_text") input.rows = 4;
      if (field.kind === "tel") input.setAttribute("inputmode", "tel");
      if (field.kind !== "long_text") input.spellcheck = false;
      input.maxLength = field.max_length;
      input.placeholder = "例如：" + field.example;
      input.setAttribute("autocomplete", "off");
    }
    input.id = "c-f-" + field.name;
    input.name = field.name;
    input.addEventListener(field.kind === "choice" ? "change" : "input", function () {
      setFieldError(field.name, "");
    });
    return input;
  }

  function buildFields(fields) {
    var box = C.$("c-appeal-inputs");
    C.clear(box);
    FIELDS = fields.map(function (field) {
      return field.name;
    });
    fields.forEach(function (field) {
      var wrap = C.el("div", "c-field c-field--" + field.kind);
      wrap.dataset.field = field.name;
      var label = C.el("label", "", field.label);
      label.htmlFor = "c-f-" + field.name;
      wrap.appendChild(label);
      wrap.appendChild(inputFor(field));
      var error = C.el("p", "c-field-error");
      error.id = "c-e-" + field.name;
      wrap.appendChild(error);
      box.appendChild(wrap);
    });
  }

  function fieldInput(name) {
    return C.$("c-f-" + name);
  }

  function setFieldError(name, message) {
    var input = fieldInput(name);
    var error = C.$("c-e-" + name);
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
    C.$("c-appeal-error").textContent = "";
  }

  function startFill() {
    C.state.appealKey = C.newKey();
    C.$("c-appeal-form").reset();
    clearErrors();
    C.$("c-appeal-fields").disabled = false;
    C.$("c-appeal-submit").disabled = false;
    C.$("c-appeal-form").hidden = false;
    C.$("c-filed").hidden = true;
  }

  function readBack(created) {
    return (
      "您的诉求已登记，诉求编号是 " +
      created.tracking_no +
      "。拟由" +
      created.proposed_department +
      "办理，区经委确认后分派；按本区服务标准，将于" +
      C.formatDate(created.contact_due_at) +
      "前与您联系，" +
      C.formatDate(created.due_at) +
      "前办结答复。查询进度时请提供诉求编号和联系电话的后四位。"
    );
  }

  function showFiled(created) {
    C.$("c-filed-no").textContent = created.tracking_no;
    C.$("c-filed-dept").textContent = created.proposed_department + "（待区经委确认）";
    C.$("c-filed-contact").textContent = C.formatDay(created.contact_due_at) + " 前联系来电人";
    C.$("c-filed-due").textContent = C.formatDay(created.due_at) + " 前办结答复";
    C.$("c-filed-readback").textContent = readBack(created);
    C.$("c-appeal-form").hidden = true;
    C.$("c-filed").hidden = false;
    C.$("c-filed").focus();
  }

  function fileAppeal(event) {
    event.preventDefault();
    if (C.state.filing) return;
    clearErrors();
    var body = { channel: "hotline" };
    FIELDS.forEach(function (name) {
      body[name] = fieldInput(name).value;
    });
    C.state.filing = true;
    var submit = C.$("c-appeal-submit");
    submit.disabled = true;
    submit.textContent = "正在登记…";
    C.api("POST", "/api/appeals", body, { "Idempotency-Key": C.state.appealKey })
      .then(function (res) {
        if (res.status === 201) {
          C.$("c-appeal-fields").disabled = true;
          showFiled(res.data);
          C.loadQueue();
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
          C.$("c-appeal-error").textContent =
            (first ? "有几项需要修改，请按提示核对后再登记。" : "") + other.join(" ");
          if (first) fieldInput(first).focus();
          return;
        }
        if (res.status === 422) {
          // The same form was filed already with other contents (its reply was lost).
          C.$("c-appeal-error").textContent =
            "这份表单之前已提交过，内容后来又有改动。请先在队列中核对是否已登记；需要重新登记请点「清空重填」。";
          return;
        }
        C.$("c-appeal-error").textContent = "登记失败（错误代码 " + res.status + "），请稍后再试。";
      })
      .catch(function () {
        C.$("c-appeal-error").textContent =
          "无法连接服务，诉求可能还没有登记。请稍后再点「登记诉求」：同一份表单不会重复登记。";
      })
      .then(function () {
        C.state.filing = false;
        submit.textContent = "登记诉求";
        submit.disabled = !C.$("c-filed").hidden;
      });
  }

  C.wire(function () {
    C.$("c-appeal-form").addEventListener("submit", fileAppeal);
    C.$("c-appeal-reset").addEventListener("click", startFill);
    C.$("c-filed-next").addEventListener("click", function () {
      startFill();
      fieldInput(FIELDS[0]).focus();
    });
    C.$("c-filed-copy").addEventListener("click", function () {
      C.copyText(C.$("c-filed-readback").textContent, C.$("c-filed-copy"));
    });
  });

  C.startFill = startFill;
  C.buildFields = buildFields;
})(window.JDConsole);
