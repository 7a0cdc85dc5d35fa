// UI strings, Vietnamese first. One dictionary per language; keys are shared with server error messageKeys.
export const LANGUAGES = ["vi", "en"] as const;
export type Lang = (typeof LANGUAGES)[number];
export const LANG_COOKIE = "camxuc_lang";

const vi = {
  "app.name": "Cảm xúc",
  "app.tagline": "Phân tích cảm xúc tiếng Việt",
  "nav.analyse": "Phân tích",
  "nav.dashboard": "Tổng quan",
  "nav.history": "Lịch sử",
  "nav.batch": "Phân tích tệp",
  "nav.settings": "Cài đặt",
  "nav.docs": "API",
  "nav.login": "Đăng nhập",
  "nav.register": "Đăng ký",
  "nav.logout": "Đăng xuất",
  "nav.menu": "Menu",
  "lang.switch": "English",
  "lang.label": "Ngôn ngữ",
  "auth.email": "Email",
  "auth.password": "Mật khẩu",
  "auth.passwordHint": "Ít nhất {min} ký tự",
  "auth.loginTitle": "Đăng nhập",
  "auth.registerTitle": "Tạo tài khoản",
  "auth.loginSubmit": "Đăng nhập",
  "auth.registerSubmit": "Đăng ký",
  "auth.noAccount": "Chưa có tài khoản?",
  "auth.haveAccount": "Đã có tài khoản?",
  "auth.logoutTitle": "Đăng xuất",
  "auth.logoutConfirm": "Bạn muốn đăng xuất khỏi {email}?",
  "auth.loggedInAs": "Đã đăng nhập: {email}",
  "auth.invalidEmail": "Email không hợp lệ",
  "auth.emailRequired": "Hãy nhập email",
  "auth.passwordRequired": "Hãy nhập mật khẩu",
  "auth.passwordTooShort": "Mật khẩu phải có ít nhất {min} ký tự",
  "auth.passwordTooLong": "Mật khẩu quá dài",
  "auth.emailTaken": "Email này đã có tài khoản; hãy đăng nhập",
  "auth.invalidCredentials": "Email hoặc mật khẩu không đúng",
  "auth.tooManyAttempts": "Đăng nhập sai quá nhiều lần; hãy thử lại sau {minutes} phút",
  "auth.tooManyRegistrations": "Địa chỉ này đã tạo quá nhiều tài khoản; hãy thử lại sau {minutes} phút",
  "auth.loginRequired": "Hãy đăng nhập để tiếp tục",
  "error.invalidInput": "Dữ liệu không hợp lệ",
  "error.internal": "Đã có lỗi ở máy chủ; hãy thử lại",
  "error.badOrigin": "Yêu cầu từ trang khác bị từ chối",
  "error.bodyTooLarge": "Dữ liệu gửi lên quá lớn",
  "error.notFound": "Không tìm thấy trang",
  "error.title": "Có lỗi",
  "predict.title": "Phân tích cảm xúc một đoạn văn",
  "predict.placeholder": "Nhập hoặc dán văn bản tiếng Việt, ví dụ: Sản phẩm tốt, giao hàng nhanh!",
  "predict.submit": "Phân tích",
  "predict.running": "Đang phân tích…",
  "predict.result": "Kết quả",
  "predict.confidence": "Độ tin cậy",
  "predict.tokens": "{count} token",
  "predict.windowed": "văn bản dài: đã chia thành nhiều cửa sổ",
  "predict.model": "Mô hình {id} ({version})",
  "predict.stored": "Đã lưu vào lịch sử",
  "predict.notStored": "Đăng nhập để lưu kết quả vào lịch sử",
  "predict.emptyText": "Hãy nhập văn bản cần phân tích",
  "predict.textTooLong": "Văn bản quá dài (tối đa {max} ký tự)",
  "predict.anonymousLimit": "Bạn đã thử quá nhiều lần; hãy đợi một chút hoặc đăng nhập",
  "predict.modelUnavailable": "Mô hình chưa được nạp trên máy chủ này",
  "predict.tooManyTexts": "Quá nhiều văn bản trong một yêu cầu",
  "predict.chars": "{count}/{max} ký tự",
  "label.negative": "Tiêu cực",
  "label.neutral": "Trung lập",
  "label.positive": "Tích cực",
  "page.comingSoon": "Trang này đang được xây dựng.",
  "page.dashboard": "Tổng quan",
  "page.history": "Lịch sử phân tích",
  "page.batch": "Phân tích tệp CSV",
  "page.batchDetail": "Tác vụ phân tích",
  "page.settings": "Tài khoản và API token",
  "page.docs": "Tài liệu API",
  "footer.text": "Cảm xúc — phân tích cảm xúc tiếng Việt bằng mô hình kiến trúc PhoBERT",
};

type Key = keyof typeof vi;

const en: Record<Key, string> = {
  "app.name": "Cảm xúc",
  "app.tagline": "Vietnamese sentiment analysis",
  "nav.analyse": "Analyse",
  "nav.dashboard": "Dashboard",
  "nav.history": "History",
  "nav.batch": "Analyse a file",
  "nav.settings": "Settings",
  "nav.docs": "API",
  "nav.login": "Log in",
  "nav.register": "Register",
  "nav.logout": "Log out",
  "nav.menu": "Menu",
  "lang.switch": "Tiếng Việt",
  "lang.label": "Language",
  "auth.email": "Email",
  "auth.password": "Password",
  "auth.passwordHint": "At least {min} characters",
  "auth.loginTitle": "Log in",
  "auth.registerTitle": "Create an account",
  "auth.loginSubmit": "Log in",
  "auth.registerSubmit": "Register",
  "auth.noAccount": "No account yet?",
  "auth.haveAccount": "Already have an account?",
  "auth.logoutTitle": "Log out",
  "auth.logoutConfirm": "Log out of {email}?",
  "auth.loggedInAs": "Logged in as {email}",
  "auth.invalidEmail": "Enter a valid email address",
  "auth.emailRequired": "Enter your email",
  "auth.passwordRequired": "Enter your password",
  "auth.passwordTooShort": "Password must be at least {min} characters",
  "auth.passwordTooLong": "Password is too long",
  "auth.emailTaken": "An account with this email already exists; log in instead",
  "auth.invalidCredentials": "Email or password is incorrect",
  "auth.tooManyAttempts": "Too many failed logins; try again in {minutes} minute(s)",
  "auth.tooManyRegistrations": "Too many new accounts from this address; try again in {minutes} minute(s)",
  "auth.loginRequired": "Log in to continue",
  "error.invalidInput": "Invalid input",
  "error.internal": "Something went wrong on the server; please try again",
  "error.badOrigin": "Cross-site request refused",
  "error.bodyTooLarge": "The request is too large",
  "error.notFound": "Page not found",
  "error.title": "Error",
  "predict.title": "Analyse the sentiment of a text",
  "predict.placeholder": "Type or paste Vietnamese text, e.g. Sản phẩm tốt, giao hàng nhanh!",
  "predict.submit": "Analyse",
  "predict.running": "Analysing…",
  "predict.result": "Result",
  "predict.confidence": "Confidence",
  "predict.tokens": "{count} tokens",
  "predict.windowed": "long text: split into several windows",
  "predict.model": "Model {id} ({version})",
  "predict.stored": "Saved to your history",
  "predict.notStored": "Log in to keep results in your history",
  "predict.emptyText": "Enter some text to analyse",
  "predict.textTooLong": "Text is too long (at most {max} characters)",
  "predict.anonymousLimit": "Too many tries; wait a moment or log in",
  "predict.modelUnavailable": "The model is not loaded on this server",
  "predict.tooManyTexts": "Too many texts in one request",
  "predict.chars": "{count}/{max} characters",
  "label.negative": "Negative",
  "label.neutral": "Neutral",
  "label.positive": "Positive",
  "page.comingSoon": "This page is being built.",
  "page.dashboard": "Dashboard",
  "page.history": "Analysis history",
  "page.batch": "Analyse a CSV file",
  "page.batchDetail": "Batch job",
  "page.settings": "Account and API tokens",
  "page.docs": "API documentation",
  "footer.text": "Cảm xúc — Vietnamese sentiment analysis with a PhoBERT-architecture model",
};

const MESSAGES: Record<Lang, Record<Key, string>> = { vi, en };

export type MessageKey = Key;

export function isMessageKey(key: string): key is Key {
  return key in vi;
}

export function translate(lang: Lang, key: string, params: Record<string, string | number> = {}): string {
  const template = isMessageKey(key) ? MESSAGES[lang][key] : key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

export function parseLang(value: string | null | undefined): Lang {
  return value === "en" ? "en" : "vi";
}

export function langFromCookieHeader(cookieHeader: string | null): Lang {
  const match = (cookieHeader ?? "").match(new RegExp(`(?:^|;\\s*)${LANG_COOKIE}=(vi|en)`));
  return parseLang(match?.[1]);
}
