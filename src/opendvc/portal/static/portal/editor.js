// The article editor of the admin: a formatting toolbar over an editable copy of the body; the textarea
// (the HTML, cleaned by the server on save) stays the form's field and can be shown to edit the HTML.
(function () {
  "use strict";
  var TOOLS = [
    ["formatBlock", "<p>", "Đoạn văn", "¶"],
    ["formatBlock", "<h2>", "Tiêu đề mục", "H2"],
    ["formatBlock", "<h3>", "Tiêu đề nhỏ", "H3"],
    ["bold", null, "In đậm (Ctrl+B)", "B"],
    ["italic", null, "In nghiêng (Ctrl+I)", "I"],
    ["insertUnorderedList", null, "Danh sách", "•"],
    ["insertOrderedList", null, "Danh sách đánh số", "1."],
    ["formatBlock", "<blockquote>", "Trích dẫn", "❝"],
    ["createLink", "?", "Chèn liên kết", "🔗"],
    ["unlink", null, "Bỏ liên kết", "⛓"],
    ["removeFormat", null, "Xóa định dạng", "⌫"],
  ];

  function enhance(textarea) {
    var wrapper = document.createElement("div");
    wrapper.className = "rich-editor";
    var toolbar = document.createElement("div");
    toolbar.className = "rich-toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", "Định dạng nội dung");
    var area = document.createElement("div");
    area.className = "rich-area";
    area.contentEditable = "true";
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    area.setAttribute("aria-label", "Nội dung bài viết");
    area.innerHTML = textarea.value;

    TOOLS.forEach(function (tool) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = tool[3];
      button.title = tool[2];
      button.setAttribute("aria-label", tool[2]);
      button.addEventListener("click", function () {
        area.focus();
        var value = tool[1];
        if (value === "?") {
          value = window.prompt("Địa chỉ liên kết (https://…)", "https://");
          if (!value) return;
        }
        document.execCommand(tool[0], false, value);
        sync();
      });
      toolbar.appendChild(button);
    });
    var source = document.createElement("button");
    source.type = "button";
    source.textContent = "Sửa mã HTML";
    source.setAttribute("aria-pressed", "false");
    source.addEventListener("click", function () {
      var showing = textarea.hidden === false;
      if (showing) area.innerHTML = textarea.value;
      textarea.hidden = showing;
      area.hidden = !showing;
      source.setAttribute("aria-pressed", String(!showing));
    });
    toolbar.appendChild(source);

    function sync() { textarea.value = area.innerHTML; }
    area.addEventListener("input", sync);
    textarea.form && textarea.form.addEventListener("submit", function () { if (textarea.hidden) sync(); });
    textarea.parentNode.insertBefore(wrapper, textarea);
    wrapper.appendChild(toolbar);
    wrapper.appendChild(area);
    wrapper.appendChild(textarea);
    textarea.hidden = true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.execCommand("defaultParagraphSeparator", false, "p");
    Array.prototype.forEach.call(document.querySelectorAll("textarea.rich-text"), enhance);
  });
})();
