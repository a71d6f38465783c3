/**
 * Simplified Chinese, the first language of the UI. Its keys are the
 * message keys: every other locale must translate exactly these (the type of
 * en.ts and i18n.test.ts check it). Placeholders are written {name}.
 */
export const zhCN = {
  'app.name': 'Tangram',
  'locale.zh-CN': '简体中文',
  'locale.en': 'English',
  'locale.label': '语言',

  'signIn.title': '登录',
  'signIn.subtitle': '零代码零售应用平台',
  'signIn.username': '用户名',
  'signIn.password': '密码',
  'signIn.submit': '登录',
  'signIn.usernameRequired': '请输入用户名',
  'signIn.passwordRequired': '请输入密码',
  'signIn.sessionEnded': '登录已失效，请重新登录',

  'error.invalidCredentials': '用户名或密码错误。连续输错 5 次后账号将锁定 15 分钟，锁定期间同样提示此信息。',
  'error.rateLimited': '登录尝试过于频繁，请 {seconds} 秒后再试。',
  'error.rateLimitedSoon': '登录尝试过于频繁，请稍后再试。',
  'error.sessionExpired': '登录已失效，请重新登录。',
  'error.forbidden': '没有权限执行此操作。',
  'error.notFound': '内容不存在或已被删除。',
  'error.network': '无法连接服务器，请检查网络后重试。',
  'error.unknown': '操作失败（{code}）。',

  'apps.title': '我的应用',
  'apps.subtitle': '选择一个应用开始工作',
  'apps.empty': '还没有可以使用的应用',
  'apps.retry': '重试',

  'layout.openMenu': '打开菜单',
  'layout.allApps': '全部应用',
  'layout.menuEmpty': '此应用还没有菜单',
  'layout.pickFromMenu': '请从菜单中选择要打开的内容。',

  'nav.forms': '表单',
  'nav.dashboards': '仪表盘',

  'user.language': '语言',
  'user.changePassword': '修改密码',
  'user.signOut': '退出登录',
  'user.admin': '平台管理员',

  'password.title': '修改密码',
  'password.old': '当前密码',
  'password.new': '新密码',
  'password.confirm': '确认新密码',
  'password.required': '请填写此项',
  'password.mismatch': '两次输入的新密码不一致',
  'password.policy': '至少 10 个字符，包含小写字母、大写字母、数字、符号中的至少三类。修改后其他设备需要重新登录。',
  'password.submit': '确定',
  'password.cancel': '取消',
  'password.changed': '密码已修改',
  'password.wrongOld': '当前密码不正确',
  'password.tooShort': '至少需要 10 个字符',
  'password.tooLong': '最多 256 个字符',
  'password.classes': '需包含小写字母、大写字母、数字、符号中的至少三类',
  'password.sameAsUsername': '不能与用户名相同',
  'password.common': '密码过于常见',

  'kind.form': '表单',
  'kind.view': '视图',
  'kind.page': '页面',
  'kind.dashboard': '仪表盘',
  'kind.report': '报表',
  'status.draft': '草稿',
  'status.published': '已发布',
  'status.superseded': '已被取代',
  'definition.kind': '类型',
  'definition.key': '标识',
  'definition.version': '版本',
  'definition.status': '状态',
  'definition.updatedAt': '更新时间',
  'definition.updatedBy': '更新人',

  'notFound.title': '页面不存在',
  'notFound.back': '返回首页',
} as const;

/** A message key: checked by the compiler wherever t() is called. */
export type MessageKey = keyof typeof zhCN;

/** A complete translation of the UI's messages. */
export type Messages = Record<MessageKey, string>;
