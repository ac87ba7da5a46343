// "Đổi mã khác": fetch a new captcha (django-simple-captcha's refresh view) without reloading the form.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-captcha-refresh]");
  if (!button) return;
  const row = button.closest("[data-captcha]");
  const response = await fetch(button.dataset.captchaRefresh, { headers: { "X-Requested-With": "XMLHttpRequest" } });
  if (!response.ok) return;
  const data = await response.json();
  row.querySelector("[data-captcha-image]").src = data.image_url;
  row.querySelector("input[type=hidden]").value = data.key;
  const answer = row.querySelector("input[type=text]");
  answer.value = "";
  answer.focus();
});
