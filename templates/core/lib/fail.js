// fail refuses the request with a coded error: the HTTP status, a stable
// code, the reason in Chinese and English, the path of the input at fault.
function fail(status, code, zh, en, path) {
  throw {status, code, path, message: {'zh-CN': zh, en}};
}
