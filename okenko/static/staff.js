// Staff pages call the JSON API with their session cookie and the page's CSRF token.
window.okenkoApi = async (method, path, body) => {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const response = await fetch(`/api/v1${path}`, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.message || response.statusText);
  return data;
};
