/*
 * OpenDVC – USB token signing on a page (no dependencies, ES2017, loaded as a file: CSP script-src 'self').
 *
 * THE PLUG-IN PROTOCOL. The page talks to a signing plug-in at PLUGIN (the form's data-plugin-url,
 * settings.TOKEN_PLUGIN_URL; the development stand-in is /dev/token-plugin/). A vendor's plug-in (the
 * local program that drives the USB token) is adapted by answering these two calls, on the same origin
 * or on https://127.0.0.1:<port> with CORS allowing the portal's origin (and the portal's CSP
 * connect-src allowing that address):
 *
 *   GET  PLUGIN/certificates
 *        200 [{"id": "...", "label": "Nguyễn Văn An – USB ký số", "subject": "UID=CCCD:...,CN=...",
 *              "certificate": "<base64 DER X.509>"}, ...]          the certificates on plugged-in tokens
 *
 *   POST PLUGIN/sign     Content-Type: application/json
 *        {"token": "<id from the list>", "data": "<base64 of the bytes to sign>"}
 *        200 {"signature": "<base64 DER CMS SignedData, detached>", "certificate": "<base64 DER>"}
 *        The signature: SHA-256, signed attributes contentType, messageDigest, signingTime. The plug-in
 *        asks for the token's PIN itself; the page never sees it.
 *
 *   Any other answer is an error; a JSON body {"error": "<code>", "message": "<for people>"} is shown.
 *
 * THE PAGE. A form marked data-token-sign with data-challenge (base64 of the server's single-use
 * challenge) and data-plugin-url. Inside it:
 *   [data-token-start]    button: fetch the certificates and show the chooser
 *   [data-token-chooser]  hidden element; receives <label>Chọn chứng thư số</label><select>, and holds
 *   [data-token-confirm]  button "Ký và tiếp tục": sign, fill the hidden inputs `signature` and
 *                         `certificate` (made if missing) and submit the form
 *   [data-token-error]    element with role="alert" for errors (made if missing)
 * Texts may be translated with data-text-chooser, data-text-unreachable, data-text-empty and
 * data-text-failed on the form.
 */
(function () {
  "use strict";

  var TEXTS = {
    chooser: "Chọn chứng thư số",
    unreachable:
      "Không kết nối được với phần mềm ký số (plug-in). Hãy cắm USB ký số và kiểm tra phần mềm đã được cài đặt.",
    empty: "Không tìm thấy chứng thư số nào. Hãy cắm USB ký số rồi thử lại.",
    failed: "Không ký được bằng chứng thư số đã chọn. Vui lòng thử lại.",
  };

  function text(form, key) {
    var attribute = "text" + key.charAt(0).toUpperCase() + key.slice(1);
    return form.dataset[attribute] || TEXTS[key];
  }

  function endpoint(form, name) {
    var base = form.dataset.pluginUrl || "/dev/token-plugin/";
    if (base.charAt(base.length - 1) !== "/") base += "/";
    return new URL(name, new URL(base, window.location.href)).toString();
  }

  function errorBox(form) {
    var box = form.querySelector("[data-token-error]");
    if (!box) {
      box = document.createElement("p");
      box.setAttribute("data-token-error", "");
      box.setAttribute("role", "alert");
      form.insertBefore(box, form.firstChild);
    }
    return box;
  }

  function showError(form, message) {
    var box = errorBox(form);
    box.textContent = message;
    box.hidden = false;
  }

  function clearError(form) {
    var box = form.querySelector("[data-token-error]");
    if (box) {
      box.textContent = "";
      box.hidden = true;
    }
  }

  // A network failure or a non-2xx answer becomes an Error whose message is for people.
  async function call(form, name, options, fallbackKey) {
    var response;
    try {
      response = await fetch(endpoint(form, name), Object.assign({ credentials: "omit" }, options));
    } catch (networkError) {
      throw new Error(text(form, "unreachable"));
    }
    var body = null;
    try {
      body = await response.json();
    } catch (parseError) {
      body = null;
    }
    if (!response.ok || body === null) {
      throw new Error((body && body.message) || text(form, fallbackKey));
    }
    return body;
  }

  function hiddenInput(form, name) {
    var input = form.querySelector('input[name="' + name + '"]');
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    return input;
  }

  function chooserSelect(form, chooser) {
    var select = chooser.querySelector("select");
    if (!select) {
      var id = "token-chooser-" + Math.random().toString(36).slice(2);
      var label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = text(form, "chooser");
      select = document.createElement("select");
      select.id = id;
      select.name = "token";
      var confirm = chooser.querySelector("[data-token-confirm]");
      chooser.insertBefore(label, confirm);
      chooser.insertBefore(select, confirm);
    }
    return select;
  }

  async function start(form) {
    clearError(form);
    var certificates;
    try {
      certificates = await call(form, "certificates", { method: "GET" }, "unreachable");
    } catch (error) {
      showError(form, error.message);
      return;
    }
    if (!Array.isArray(certificates) || certificates.length === 0) {
      showError(form, text(form, "empty"));
      return;
    }
    var chooser = form.querySelector("[data-token-chooser]");
    var select = chooserSelect(form, chooser);
    select.textContent = "";
    certificates.forEach(function (certificate) {
      var option = document.createElement("option");
      option.value = certificate.id;
      option.textContent = certificate.label || certificate.subject || certificate.id;
      select.appendChild(option);
    });
    chooser.hidden = false;
    select.focus();
  }

  async function confirm(form, button) {
    clearError(form);
    var select = form.querySelector("[data-token-chooser] select");
    if (!select || !select.value) return;
    button.disabled = true;
    try {
      var answer = await call(
        form,
        "sign",
        {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ token: select.value, data: form.dataset.challenge }),
        },
        "failed"
      );
      if (!answer.signature) throw new Error(text(form, "failed"));
      hiddenInput(form, "signature").value = answer.signature;
      hiddenInput(form, "certificate").value = answer.certificate || "";
    } catch (error) {
      button.disabled = false;
      showError(form, error.message);
      return;
    }
    if (typeof form.requestSubmit === "function") form.requestSubmit();
    else form.submit();
    button.disabled = false; // the page's own validation may have kept the form from leaving
  }

  function setUp(form) {
    var startButton = form.querySelector("[data-token-start]");
    var confirmButton = form.querySelector("[data-token-confirm]");
    if (startButton) {
      startButton.addEventListener("click", function (event) {
        event.preventDefault();
        start(form);
      });
    }
    if (confirmButton) {
      confirmButton.addEventListener("click", function (event) {
        event.preventDefault();
        confirm(form, confirmButton);
      });
    }
  }

  function setUpAll() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-token-sign]"), setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpAll);
  else setUpAll();
})();
