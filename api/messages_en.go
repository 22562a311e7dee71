package api

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// The domain writes its messages in Chinese, where it makes them; this file gives each one a
// stable code and an English text at the HTTP edge, so that a client can show a message in its
// user's language (Accept-Language) or key its own text on the code. A message is matched as
// the domain writes it: exactly, or by a pattern whose {name} parts are the values the domain
// put in (an enterprise's name, a date, a count), returned as the message's params.
// TestMessageCatalogCoversMessages fails when the domain or api gains a message with no entry.

// message is one catalog entry: the code, the Chinese as the domain writes it and the English,
// both with the same {name} parameters.
type message struct{ code, zh, en string }

// catalog lists every message users can get, grouped by where it is made.
var catalog = []message{
	// Common.
	{"invalid", "输入有误,请检查标出的字段", "Please check the marked fields"},
	{"not_found", "{what}不存在", "{what} not found"},
	{"internal", "服务器内部错误,请稍后再试", "Server error, please try again later"},
	{"bad_request", "请求格式错误", "Malformed request"},
	{"unauthenticated", "请先登录", "Please sign in first"},
	{"forbidden", "无权访问", "Access denied"},
	{"not_found.route", "接口不存在", "No such endpoint"},
	{"method_not_allowed", "不支持的请求方法", "Method not supported"},
	{"too_large", "请求内容过大", "Request too large"},
	{"unsupported_media_type", "请以 JSON 格式提交", "Please send JSON"},
	{"too_many_requests", "请求过于频繁,请稍后再试", "Too many requests, please try again later"},
	{"unavailable", "服务暂不可用,请稍后再试", "Service unavailable, please try again later"},
	// Request shape (api).
	{"request.one_json_object", "请求体只能包含一个 JSON 对象", "The body must hold a single JSON object"},
	{"request.wrong_type", "类型错误:应为{type}", "Wrong type: expected {type}"},
	{"request.empty_body", "请求体为空,应为 JSON 对象", "The body is empty; expected a JSON object"},
	{"request.unknown_field", "此接口不接受该字段", "This endpoint does not accept this field"},
	{"request.unknown_fields", "请求含有未知字段 {fields}", "Unknown fields in the request: {fields}"},
	{"request.bad_json", "请求体不是有效的 JSON", "The body is not valid JSON"},
	{"request.list_required", "必填:应为数组(可以是空数组 [])", "Required: an array (may be empty, [])"},
	{"request.control_chars", "不能包含控制字符", "Must not contain control characters"},
	{"request.unknown_query_param", "此接口不接受该查询参数", "This endpoint does not accept this query parameter"},
	{"request.unknown_query_params", "未知的查询参数 {params}", "Unknown query parameters: {params}"},
	{"request.page", "页码应在 1 到 1000000 之间", "Page must be between 1 and 1000000"},
	{"request.per_page", "每页条数应在 1 到 200 之间", "Page size must be between 1 and 200"},
	{"request.integer", "应为整数", "Must be an integer"},
	{"request.positive_integer", "应为正整数", "Must be a positive integer"},
	{"request.bool", "应为 true 或 false", "Must be true or false"},
	{"request.required", "请填写此项", "This field is required"},
	{"request.date", "日期应为 1900 至 2099 年间的 YYYY-MM-DD,例如 2026-02-17", "Date must be YYYY-MM-DD between 1900 and 2099, e.g. 2026-02-17"},
	{"request.date_or_time", "应为 YYYY-MM-DD 或 RFC 3339 时间", "Must be YYYY-MM-DD or an RFC 3339 time"},
	{"request.date_format", "日期格式应为 YYYY-MM-DD", "Date must be YYYY-MM-DD"},
	{"request.day_range", "开始日期不能晚于结束日期", "The start date cannot be after the end date"},
	{"request.day_range_reversed", "结束日期不能早于开始日期", "The end date cannot be before the start date"},
	{"request.am_pm", "应为 am 或 pm", "Must be am or pm"},
	// Auth.
	{"auth.username_required", "请填写用户名", "Please enter a username"},
	{"auth.password_required", "请填写密码", "Please enter a password"},
	{"auth.refresh_token_required", "请提供 refresh_token", "Please provide refresh_token"},
	{"auth.bad_credentials", "用户名或密码错误,或账号已停用", "Wrong username or password, or the account is disabled"},
	{"auth.too_many_failures", "登录失败次数过多,请一分钟后再试", "Too many failed sign-ins, please try again in a minute"},
	{"auth.too_many_failures_network", "此网络登录失败次数过多,请一分钟后再试", "Too many failed sign-ins from this network, please try again in a minute"},
	{"auth.too_many_failures_enterprise", "本企业登录失败次数过多,请一分钟后再试", "Too many failed sign-ins for this enterprise, please try again in a minute"},
	{"auth.session_expired", "登录已失效,请重新登录", "Your session has ended, please sign in again"},
	{"auth.session_ended", "登录已失效(已退出登录、修改了密码或被管理员结束),请重新登录", "Your session has ended (signed out, password changed, or ended by an administrator), please sign in again"},
	{"auth.account_changed", "账号已停用或权限已变更,请重新登录", "The account was disabled or its rights changed, please sign in again"},
	{"auth.token_expired", "登录已过期", "Sign-in expired"},
	{"auth.token_invalid", "登录凭证无效", "Invalid sign-in token"},
	{"auth.busy", "登录的人太多,服务器繁忙,请稍后再试", "Too many people are signing in, please try again later"},
	{"auth.platform_no_town_data", "平台运营方不能查看乡镇的企业、职工和防疫数据", "The platform operator cannot see townships' enterprises, workers or health data"},
	{"auth.viewer_totals_only", "大屏账号只能查看全镇的统计数字", "Wall accounts can only see township-wide figures"},
	// Workers signing in.
	{"worker_auth.bad_pin", "企业码、手机号或 PIN 不正确;第一次登录或 PIN 被重置后,请先用身份证号设置 PIN", "Wrong enterprise code, phone or PIN; on first sign-in or after a PIN reset, set a PIN with your ID number first"},
	{"worker_auth.bad_id", "企业码、手机号或身份证号不正确", "Wrong enterprise code, phone or ID number"},
	{"worker_auth.pin_already_set", "您已设置过 PIN,请直接用 PIN 登录;忘记了请联系企业人事重置", "You already have a PIN; sign in with it. If you forgot it, ask HR to reset it"},
	{"worker_auth.left", "您已登记为离职,无需打卡;如有误请联系企业人事", "You are recorded as having left; no check-in needed. If this is wrong, contact HR"},
	{"worker_auth.reset_pin_hr_only", "只有企业人事可以重置职工的 PIN", "Only enterprise HR can reset a worker's PIN"},
	{"pin.format", "PIN 应为 6 位数字", "The PIN must be 6 digits"},
	{"pin.weak", "PIN 太容易被猜到({why}),请换一个", "This PIN is too easy to guess ({why}); please choose another"},
	// Audit.
	{"audit.town_admin_only", "只有镇专班管理员可以查看审计日志", "Only town admins can see the audit log"},
	{"audit.action_format", "操作类型应为如 plan 或 plan.submit 的形式", "Action must look like plan or plan.submit"},
	// Channels.
	{"channel.not_found_robot", "群机器人不存在", "Group robot not found"},
	{"channel.name_required", "请填写群名称，例如“长山镇复工专班群”", "Please name the group, e.g. \"Changshan reopening team\""},
	{"channel.name_too_long", "群名称最多 50 个字", "The group name can have at most 50 characters"},
	{"channel.kind", "渠道类型必须是 wecom（企业微信）、dingtalk（钉钉）、feishu（飞书）或 webhook 之一", "The channel type must be wecom (WeCom), dingtalk (DingTalk), feishu (Feishu) or webhook"},
	{"channel.unknown_message_type", "未知的消息类型：{type}", "Unknown message type: {type}"},
	{"channel.quiet_hours_pair", "免打扰时段的开始和结束要么都填，要么都不填", "Fill in both the start and end of quiet hours, or neither"},
	{"channel.time_format", "时间格式应为 HH:MM,例如 22:00", "Time must be HH:MM, e.g. 22:00"},
	{"channel.hr_own_enterprise", "企业人事只能设置本企业的群", "Enterprise HR can only set up their own enterprise's group"},
	{"channel.supervisor_own", "驻厂监督员只能设置自己的群", "Supervisors can only set up their own group"},
	{"channel.zone_of_town", "请选择本镇的责任区", "Please choose a zone of this township"},
	{"channel.enterprise_of_town", "请选择本镇的企业", "Please choose an enterprise of this township"},
	{"channel.town_scopes", "镇专班可以设置镇级群、责任区群或企业群", "Town admins can set up township, zone or enterprise groups"},
	{"channel.rate_limited", "这个群机器人一分钟内的消息已达上限，请稍后再试", "This group robot has sent its limit for the minute, please try again later"},
	{"channel.not_found_message", "消息不存在", "Message not found"},
	{"channel.setup_roles", "只有镇专班、企业人事和驻厂监督员可以设置群消息推送", "Only town admins, enterprise HR and supervisors can set up group messages"},
	{"channel.view_roles", "只有镇专班、企业人事和驻厂监督员可以查看群消息", "Only town admins, enterprise HR and supervisors can see group messages"},
	{"channel.robot_disabled", "群机器人已停用：重新启用后可在消息记录中重新发送", "The group robot is disabled: enable it again to resend from the message log"},
	{"channel.no_robots", "这个程序没有接通群机器人（未配置 Robots）", "This server has no group robots connected (Robots not configured)"},
	{"channel.scope", "范围应为 township、zone、enterprise 或 supervisor", "Scope must be township, zone, enterprise or supervisor"},
	{"channel.message_status", "状态应为 pending、sent、failed 或 merged", "Status must be pending, sent, failed or merged"},
	{"channel.message_kind", "消息类型应为 alert、reminder、missed、summary 或 report", "Message type must be alert, reminder, missed, summary or report"},
	{"channel.robot_id", "群机器人编号应为正整数", "The robot ID must be a positive integer"},
	{"channel.demo_not_found", "演示群消息（只在 serve --demo 中有）不存在", "Demo group messages (only in serve --demo) not found"},
	// Check-ins.
	{"checkin.future_date", "不能为将来的日期打卡", "Cannot check in for a future date"},
	{"checkin.yesterday_only", "只能补报昨天的打卡", "Only yesterday's check-in can be made up"},
	{"checkin.temperature_required", "请填写体温", "Please enter the temperature"},
	{"checkin.temperature_range", "体温应在 35.0 到 42.0 °C 之间,请重新测量", "The temperature must be between 35.0 and 42.0 °C; please measure again"},
	{"checkin.unknown_symptom", "未知的症状 {symptom}", "Unknown symptom {symptom}"},
	{"checkin.other_symptom_note", "选择“其他”时请写明症状", "Please describe the symptom when choosing \"other\""},
	{"checkin.worker_only", "只有返岗职工本人可以打卡;企业人事请使用代报", "Only the returning worker can check in; HR please report on their behalf"},
	{"checkin.proxy_hr_only", "只有企业人事可以代报", "Only enterprise HR can report on a worker's behalf"},
	{"checkin.proxy_batch", "每次代报 1 到 500 人", "Report for 1 to 500 people at a time"},
	{"checkin.worker_not_on_roster", "本企业花名册中没有此职工", "This worker is not on the enterprise's roster"},
	{"checkin.worker_left", "该职工已离职", "This worker has left"},
	{"checkin.self_reported_at", "职工本人已于 {time} 上报 {temperature} °C,确认覆盖后才能代报", "The worker reported {temperature} °C at {time}; confirm to overwrite it"},
	{"checkin.self_reported", "职工本人已上报", "The worker has already reported"},
	{"checkin.slot", "请选择上午(am)或下午(pm)", "Please choose morning (am) or afternoon (pm)"},
	{"checkin.location", "位置应为 work、home 或 isolation", "Location must be work, home or isolation"},
	{"checkin.own_only", "只有返岗职工本人可以查看自己的打卡记录", "Only the returning worker can see their own check-ins"},
	{"checkin.correct_roles", "只有企业人事和驻厂监督员可以更正打卡读数", "Only enterprise HR and supervisors can correct a reading"},
	{"checkin.correct_reason", "请写明更正原因", "Please give the reason for the correction"},
	{"checkin.correct_temperature", "请填写更正后的体温", "Please enter the corrected temperature"},
	// Alerts.
	{"alert.forbidden", "无权查看预警", "You may not see alerts"},
	{"alert.unknown_kind", "未知的预警类型", "Unknown alert type"},
	{"alert.status", "预警状态应为 open、acknowledged 或 resolved", "Alert status must be open, acknowledged or resolved"},
	{"alert.status_conflict", "预警当前状态为 {status},不能改为 {to}", "The alert is {status}; it cannot become {to}"},
	{"alert.note_required", "请写明处理结果", "Please describe how it was handled"},
	{"alert.bulk_size", "每次处理 1 到 {max} 条预警", "Handle 1 to {max} alerts at a time"},
	{"alert.no_industry", "预警不按行业筛选", "Alerts are not filtered by industry"},
	{"alert.state", "state 应为 open 或 overdue", "state must be open or overdue"},
	// Credit code.
	{"credit_code.required", "请填写统一社会信用代码", "Please enter the unified social credit code"},
	{"credit_code.length", "统一社会信用代码应为 18 位", "The unified social credit code must have 18 characters"},
	{"credit_code.bad_char", "统一社会信用代码含有无效字符 {char}(不使用 I、O、S、V、Z)", "The unified social credit code has an invalid character {char} (I, O, S, V, Z are not used)"},
	{"credit_code.region", "统一社会信用代码第 3–8 位应为行政区划代码(数字)", "Characters 3–8 of the unified social credit code must be a region code (digits)"},
	{"credit_code.check_digit", "统一社会信用代码校验位不正确,请核对是否抄错", "The check digit of the unified social credit code is wrong; please check for typos"},
	// Dashboard and figures.
	{"dashboard.roles", "只有镇专班、驻厂监督员和大屏账号可以查看监测大屏", "Only town admins, supervisors and wall accounts can see the dashboard"},
	{"dashboard.max_days", "一次最多查询 366 天", "At most 366 days per query"},
	{"figures.days_90", "天数应在 1 到 90 之间", "Days must be between 1 and 90"},
	{"figures.days_max", "天数应在 1 到 {max} 之间", "Days must be between 1 and {max}"},
	{"figures.start_or_days", "请只选择开始日期或天数之一", "Choose either a start date or a number of days, not both"},
	{"figures.gate_forbidden", "无权查看乡镇的复工码与抽查统计", "You may not see the township's pass and spot-check figures"},
	{"figures.gate_no_spot_checks", "门岗账号不能查看抽查统计", "Gate accounts cannot see spot-check figures"},
	// Enterprises.
	{"enterprise.create_town_admin_only", "只有镇专班管理员可以登记企业", "Only town admins can register enterprises"},
	{"enterprise.credit_code_taken", "该统一社会信用代码的企业已登记", "An enterprise with this unified social credit code is already registered"},
	{"enterprise.credit_code_taken_town", "本镇已登记了这个统一社会信用代码的企业", "This township already has an enterprise with this unified social credit code"},
	{"enterprise.list_forbidden", "无权查看企业列表", "You may not see the enterprise list"},
	{"enterprise.update_forbidden", "无权修改企业信息", "You may not change the enterprise's details"},
	{"enterprise.field_town_only", "企业账号不能修改此项,请联系镇专班", "Enterprise accounts cannot change this; please contact the town team"},
	{"enterprise.fields_for_hr", "企业账号只能修改地址、联系人、联系电话和人数", "Enterprise accounts can only change the address, contact, phone and headcount"},
	{"enterprise.assign_town_admin_only", "只有镇专班管理员可以指派驻厂监督员", "Only town admins can assign supervisors"},
	{"enterprise.not_a_supervisor", "不是本镇在用的驻厂监督员账号", "Not an active supervisor account of this township"},
	{"enterprise.headcount", "职工人数应在 0 到 200,000 之间", "The headcount must be between 0 and 200,000"},
	{"enterprise.zone_required", "请选择责任区", "Please choose a zone"},
	{"enterprise.no_such_zone", "本镇没有名为“{zone}”的责任区", "This township has no zone named \"{zone}\""},
	{"enterprise.phone_required", "请填写联系电话", "Please enter a contact phone"},
	{"enterprise.phone_format", "联系电话应为 11 位手机号或带区号的座机号(如 0543-4321234)", "The phone must be an 11-digit mobile or a landline with area code (e.g. 0543-4321234)"},
	{"enterprise.code_failed", "无法生成企业码,请重试", "Could not make an enterprise code, please try again"},
	{"enterprise.id", "企业编号应为正整数", "The enterprise ID must be a positive integer"},
	{"enterprise.unknown_status", "未知的企业状态", "Unknown enterprise status"},
	{"enterprise.status", "企业当前状态为“{status}”", "The enterprise is \"{status}\""},
	{"enterprise.status_needs", "企业当前状态为“{status}”,{need}", "The enterprise is \"{status}\": {need}"},
	{"enterprise.status_refresh", "企业当前状态为“{status}”,请刷新后重试", "The enterprise is \"{status}\"; please refresh and try again"},
	{"enterprise.status_suspended_no_new_plan", "停工整顿期间不能提交新的复工方案,整改后由镇专班恢复", "No new reopening plan while suspended; the town team reopens it after the fixes"},
	{"enterprise.status_suspended_no_plan", "停工整顿期间不能提交复工方案,整改后由镇专班恢复", "No reopening plan can be submitted while suspended; the town team reopens it after the fixes"},
	{"enterprise.status_suspend_needs", "已批准或已复工的企业才能停工整顿", "Only approved or reopened enterprises can be suspended"},
	{"enterprise.status_resume_needs", "停工整顿中的企业才能恢复", "Only suspended enterprises can be resumed"},
	{"enterprise.suspend_town_admin_only", "只有镇专班管理员可以责令企业停工整顿", "Only town admins can suspend an enterprise"},
	{"enterprise.resume_town_admin_only", "只有镇专班管理员可以恢复企业生产", "Only town admins can resume an enterprise"},
	{"enterprise.effective_after_today", "生效日期不能晚于今天({today})", "The effective date cannot be after today ({today})"},
	{"enterprise.effective_before_status", "生效日期不能早于企业成为“{status}”的日期({since})", "The effective date cannot be before the enterprise became \"{status}\" ({since})"},
	// Gate and pass.
	{"gate.own_only", "只有职工本人可以查看", "Only the worker can see this"},
	{"gate.pass_own_only", "只有职工本人可以查看复工码", "Only the worker can see their pass"},
	{"gate.verify_roles", "只有驻厂监督员和门岗可以核验复工码", "Only supervisors and gate accounts can verify passes"},
	{"gate.pass_forbidden", "无权查看复工码", "You may not see passes"},
	{"gate.pass_invalid", "复工码无效", "Invalid pass"},
	{"gate.pass_expired", "复工码已过期,请职工刷新后重新出示", "The pass has expired; the worker should refresh it and show it again"},
	{"gate.no_such_worker", "没有这名职工,或不在您负责的企业", "No such worker, or not in an enterprise you look after"},
	{"gate.worker_required", "请选择职工", "Please choose a worker"},
	{"gate.temperature_required", "请填写现场测得的体温", "Please enter the temperature measured on site"},
	{"gate.temperature_range", "现场体温应在 35.0 到 42.0 °C 之间", "The measured temperature must be between 35.0 and 42.0 °C"},
	{"gate.no_temperature_unseen", "未见本人时不填体温", "No temperature when the person was not seen"},
	{"gate.revoke_forbidden", "无权撤销或恢复复工码", "You may not revoke or restore passes"},
	{"gate.scan_or_phone", "请扫描复工码或输入手机号", "Please scan a pass or enter a phone number"},
	// Id numbers.
	{"id_number.required", "请填写身份证号", "Please enter the ID number"},
	{"id_number.as_number", "身份证号被表格软件转成了数字,末几位已丢失;请把该列设为“文本”格式后重新填写", "The spreadsheet turned the ID number into a number and lost its last digits; format the column as \"Text\" and enter it again"},
	{"id_number.stored_as_number", "身份证号被表格软件存成了数字,末几位已丢失;请把该列设为“文本”格式后重新填写", "The spreadsheet stored the ID number as a number and lost its last digits; format the column as \"Text\" and enter it again"},
	{"id_number.old_15", "这是 15 位旧身份证号,请填写 18 位身份证号", "This is an old 15-digit ID number; please enter the 18-digit one"},
	{"id_number.length", "身份证号应为 18 位", "The ID number must have 18 characters"},
	{"id_number.digits", "身份证号前 17 位应为数字,最后一位为数字或 X", "The first 17 characters of the ID number must be digits, the last a digit or X"},
	{"id_number.region", "身份证号前 6 位不是有效的地区代码", "The first 6 digits of the ID number are not a valid region code"},
	{"id_number.birth_date", "身份证号中的出生日期 {date} 无效", "The birth date {date} in the ID number is invalid"},
	{"id_number.check_digit", "身份证号校验位不正确,请核对是否抄错", "The check digit of the ID number is wrong; please check for typos"},
	// Inspections.
	{"inspection.supervisor_only", "只有该企业的驻厂监督员可以登记现场检查", "Only the enterprise's supervisor can record inspections"},
	{"inspection.date_required", "请填写检查日期", "Please enter the inspection date"},
	{"inspection.date_future", "检查日期不能晚于今天", "The inspection date cannot be after today"},
	{"inspection.date_30_days", "只能补登 30 天内的检查", "Only inspections of the last 30 days can be recorded late"},
	{"inspection.findings_required", "有不合格项时请写明发现的问题", "Please describe the problems found when an item failed"},
	{"inspection.deadline_required", "有不合格项时请规定整改期限", "Please set a deadline for fixes when an item failed"},
	{"inspection.deadline_after_date", "整改期限应晚于检查日期", "The deadline must be after the inspection date"},
	{"inspection.no_deadline_when_passed", "各项均合格时无需整改期限", "No deadline is needed when every item passed"},
	{"inspection.followup_roles", "只有驻厂监督员和镇专班可以查看整改跟踪", "Only supervisors and town admins can see the follow-up"},
	// Notices.
	{"notice.staff_only", "只有工作人员账号有通知", "Only staff accounts have notices"},
	// Placement and roster.
	{"placement.isolation_conflict", "以下职工的隔离观察期晚于其返岗批次日期:{warnings}。确认仍按此安排请勾选“确认隔离安排”后重新提交", "These workers' isolation ends after their batch's date: {warnings}. To keep this plan, confirm the isolation arrangement and submit again"},
	{"placement.isolation_row", "第 {row} 行 {warning}", "Row {row}: {warning}"},
	{"placement.isolated_until", "{name}({risk})隔离观察至 {until},晚于第{batch}批返岗日期 {date}", "{name} ({risk}) is in isolation until {until}, after batch {batch}'s return date {date}"},
	{"placement.isolated_not_back", "{name}({risk})尚未返回,即使今天返回也要隔离观察至 {until},晚于第{batch}批返岗日期 {date}", "{name} ({risk}) is not back yet; even back today, isolation would last until {until}, after batch {batch}'s return date {date}"},
	{"placement.no_batches_yet", "本企业还没有返岗批次(复工申请批准后按申请中的批次生成),“{batch}”无法对应;请先留空", "This enterprise has no return batches yet (they come from the approved plan), so \"{batch}\" matches none; leave it empty for now"},
	{"placement.no_such_batch", "本企业没有返岗批次“{batch}”,请填写批次序号(如 1 或 第1批)或返岗日期;现有批次:{batches}", "This enterprise has no return batch \"{batch}\"; enter a batch number (e.g. 1 or 第1批) or its return date. Batches: {batches}"},
	{"placement.no_such_shift_named", "本企业没有班组“{shift}”,请先在“班组”中添加,或填写已有的班组", "This enterprise has no shift \"{shift}\"; add it under \"Small shifts\" first, or use an existing one"},
	{"placement.shift_full", "{shift}容量 {capacity} 人,已有 {assigned} 人", "{shift} holds {capacity} people and already has {assigned}"},
	{"placement.shift_full_adding", "{shift}容量 {capacity} 人,已有 {assigned} 人,不能再加入 {adding} 人", "{shift} holds {capacity} people and already has {assigned}; {adding} more cannot join"},
	{"roster.importing", "本企业有一份花名册正在导入,请等它完成后再上传", "A roster of this enterprise is being imported; please wait for it to finish"},
	{"roster.busy", "正在导入的花名册较多,请稍后再上传", "Many rosters are being imported; please upload later"},
	{"roster.same_person", "与第 {row} 行是同一人", "Same person as row {row}"},
	{"roster.timeout", "花名册导入超过 {seconds} 秒仍未完成,已停止,未导入任何数据;请分批导入,或稍后再试", "The roster import took over {seconds} seconds and was stopped; nothing was imported. Import in parts, or try later"},
	{"roster.hr_only", "花名册由企业维护", "The roster is kept by the enterprise"},
	{"roster.errors", "发现 {count} 处错误,未导入任何数据;请改正后重新上传", "{count} error(s) found; nothing was imported. Please fix them and upload again"},
	{"roster.errors_big", "发现 {count} 处错误,未导入任何数据;花名册较大,不提供标注错误的工作簿,请按错误列表改正后重新上传", "{count} error(s) found; nothing was imported. The roster is too big for an annotated workbook; please fix them from the error list and upload again"},
	{"roster.upload_field", "请以 multipart 字段 file 上传 .xlsx 文件", "Please upload the .xlsx file as the multipart field \"file\""},
	{"roster.upload_incomplete", "文件没有传完整,请重新上传", "The file did not arrive complete; please upload it again"},
	{"roster.yes_no", "请填写“是”或“否”", "Please enter \"是\" (yes) or \"否\" (no)"},
	{"roster.no_such_region", "找不到地区“{origin}”,请填写省、市、县的全称(如 湖北省武汉市)或 6 位区划代码", "Region \"{origin}\" not found; enter the full province, city and county names (e.g. 湖北省武汉市) or a 6-digit region code"},
	{"roster.bad_date", "日期“{date}”无法识别,请写成 2026-02-17", "Date \"{date}\" not understood; write it as 2026-02-17"},
	{"roster.arrived_future", "返岗日期不能晚于今天;尚未返回的请留空", "The return date cannot be after today; leave it empty for those not back yet"},
	// Uploaded workbooks (report/roster, report/internal/ooxml): a sheet or part's name, as the
	// file has it, stays as written; the sentence around it is the server's.
	{"upload.not_workbook", "文件不是有效的 Excel 工作簿(.xlsx);CSV、旧版 .xls 等请先在 Excel 或 WPS 中另存为 .xlsx 再上传", "The file is not a valid Excel workbook (.xlsx); save CSV, old .xls and the like as .xlsx in Excel or WPS first, then upload"},
	{"upload.too_big_unzipped", "文件解压后超过 64 MB,请分批导入", "The file is over 64 MB unzipped; please import in parts"},
	{"upload.too_big", "文件超过 64 MB,请分批导入", "The file is over 64 MB; please import in parts"},
	{"upload.xls", "这是旧版 Excel 97-2003 工作簿(.xls),不支持;请在 Excel 或 WPS 中另存为 .xlsx 后上传", "This is an old Excel 97-2003 workbook (.xls), which is not supported; save it as .xlsx in Excel or WPS, then upload"},
	{"upload.encrypted", "工作簿设有打开密码,无法读取;请在 Excel 或 WPS 中取消密码并另存为 .xlsx 后上传", "The workbook has an opening password and cannot be read; remove the password in Excel or WPS and save it as .xlsx, then upload"},
	{"upload.ole", "不支持旧版 .xls 或设有密码的工作簿;请在 Excel 或 WPS 中另存为 .xlsx(不设密码)后上传", "Old .xls and password-protected workbooks are not supported; save it as .xlsx (no password) in Excel or WPS, then upload"},
	{"upload.image", "文件是图片或 PDF,不是 Excel 工作簿;请上传 Excel 或 WPS 保存的 .xlsx 文件", "The file is a picture or a PDF, not an Excel workbook; please upload an .xlsx saved by Excel or WPS"},
	{"upload.no_sheets", "文件不是有效的 Excel 工作簿(.xlsx):其中没有工作表", "The file is not a valid Excel workbook (.xlsx): it has no sheets"},
	{"upload.too_many_sheets", "工作簿中有 {sheets} 个工作表,超过 {max} 个;请只保留花名册后上传", "The workbook has {sheets} sheets, more than {max}; keep only the roster and upload again"},
	{"upload.too_many_rows", "工作表「{sheet}」读到第 {row} 行时已超过 {max} 行(空行、只在花名册以外的列有内容的行也算在内),而花名册最多 {max_rows} 行;请删除多余的行后上传",
		"Sheet \"{sheet}\" passed {max} rows at row {row} (empty rows and rows with content only outside the roster's columns count too), and a roster has at most {max_rows} rows; delete the extra rows and upload again"},
	{"upload.too_many_parts", "文件中有 {parts} 个条目,Excel 或 WPS 保存的工作簿不会这么多(上限 {max});请重新保存后上传", "The file has {parts} parts, more than a workbook saved by Excel or WPS has (at most {max}); please save it again and upload"},
	{"upload.long_content", "文件中有超长的内容(其中的 {part} 有一段超过 256 KB,而 Excel 一个单元格最多 32767 个字符);请检查后在 Excel 或 WPS 中重新保存上传", "The file has overlong content ({part} holds a run over 256 KB, while an Excel cell holds at most 32767 characters); check it, save it again in Excel or WPS and upload"},
	{"upload.unsafe_path", "文件中有路径不安全的条目({part}),不是 Excel 或 WPS 保存的工作簿,已拒绝", "The file has a part with an unsafe path ({part}); it is not a workbook saved by Excel or WPS and was refused"},
	{"upload.no_data", "文件中没有任何数据;请在模板的“花名册”表中填写后上传", "The file holds no data; fill in the template's roster sheet (花名册) and upload"},
	{"upload.too_many_strings", "文件中的文字条目超过 {max} 条,远多于花名册(最多 {max_rows} 行)所需;请只保留花名册后重新上传", "The file has over {max} text entries, far more than a roster (at most {max_rows} rows) needs; keep only the roster and upload again"},
	{"upload.too_much_style", "文件中的样式等格式信息解压后超过 4 MB(其中 {part} 有 {size} MB),远多于花名册所需;请在 Excel 或 WPS 中清除多余格式、只保留花名册后重新保存上传", "The file's formatting is over 4 MB unzipped ({part} has {size} MB), far more than a roster needs; clear the extra formatting in Excel or WPS, keep only the roster, save and upload again"},
	{"upload.damaged_part", "文件已损坏(其中的 {part} 无法解压);请在 Excel 或 WPS 中重新保存后上传", "The file is damaged ({part} cannot be unzipped); save it again in Excel or WPS and upload"},
	{"upload.damaged", "文件已损坏,{where};请在 Excel 或 WPS 中重新保存后上传", "The file is damaged: {where}; save it again in Excel or WPS and upload"},
	{"upload.sheet_unreadable", "工作表「{sheet}」无法读取", "sheet \"{sheet}\" cannot be read"},
	{"upload.sheet_row_error", "工作表「{sheet}」读到第 {row} 行时出错", "sheet \"{sheet}\" failed at row {row}"},
	{"roster.missing_column", "缺少「{column}」列", "The column \"{column}\" is missing"},
	{"roster.max_rows", "最多 {max} 行，请分批导入", "At most {max} rows; please import in parts"},
	{"report.too_many_rows", "导出超过 Excel 单表上限({max} 行),请缩短日期范围", "The export is over Excel's limit for one sheet ({max} rows); please choose fewer days"},
	// Plans.
	{"plan.pledge", "请阅读并勾选企业承诺", "Please read and tick the enterprise's pledge"},
	{"plan.expected_workers_range", "预计返岗人数应在 0 到 200,000 之间", "Expected returning workers must be between 0 and 200,000"},
	{"plan.mobile_format", "手机号应为 11 位大陆手机号码", "The phone must be an 11-digit mainland mobile number"},
	{"plan.quantity_range", "数量应在 0 到 10,000,000 之间", "The quantity must be between 0 and 10,000,000"},
	{"plan.team_size_range", "小班人数应在 0 到 10,000 之间", "The team size must be between 0 and 10,000"},
	{"plan.max_batches", "返岗批次最多 60 批", "At most 60 return batches"},
	{"plan.negative_count", "人数不能为负", "A count cannot be negative"},
	{"plan.max_departments", "每批最多 {max} 个部门", "At most {max} departments per batch"},
	{"plan.department_length", "部门名称应为 1 到 50 个字", "A department name must have 1 to 50 characters"},
	{"plan.department_separator", "部门名称“{department}”不能含“、”,请分开填写", "Department name \"{department}\" cannot contain \"、\"; enter them separately"},
	{"plan.department_repeated", "部门“{department}”重复", "Department \"{department}\" is listed twice"},
	{"plan.supply_days", "{supply}仅够 {days} 天,{workers} 人 3 天至少需要 {need}", "{supply} lasts only {days} days; {workers} people need at least {need} for 3 days"},
	{"plan.thermometers", "体温计至少 {need} 支(每 {per} 人 1 支)", "At least {need} thermometers (1 per {per} people)"},
	{"plan.batches_required", "请至少填写一批返岗安排", "Please enter at least one return batch"},
	{"plan.batch_date_required", "请填写返岗日期", "Please enter the return date"},
	{"plan.batch_date_past", "返岗日期不能早于今天", "The return date cannot be before today"},
	{"plan.batch_date_before_reopening", "返岗日期不能早于计划复工日期", "The return date cannot be before the planned reopening date"},
	{"plan.batch_size", "每批人数至少 1 人", "Each batch needs at least 1 person"},
	{"plan.batch_sum", "各批人数合计 {sum} 人,与预计返岗人数 {expected} 人不一致", "The batches add up to {sum} people, not the {expected} expected"},
	{"plan.reopening_date_required", "请填写计划复工日期", "Please enter the planned reopening date"},
	{"plan.reopening_date_past", "计划复工日期不能早于今天({today})", "The planned reopening date cannot be before today ({today})"},
	{"plan.expected_workers_required", "请填写预计返岗人数", "Please enter the expected returning workers"},
	{"plan.lead_phone_required", "请填写防控负责人手机号", "Please enter the prevention lead's mobile number"},
	{"plan.team_size_required", "请填写小班人数", "Please enter the team size"},
	{"plan.team_size_too_big", "小班人数不能多于预计返岗人数", "The team size cannot exceed the expected returning workers"},
	{"plan.open_exists", "已有{status}的方案(第 {version} 版),请在其上修改", "There is already a plan that is {status} (version {version}); please edit that one"},
	{"plan.open_exists_short", "已有未完成的方案", "There is already an unfinished plan"},
	{"plan.queue_roles", "只有驻厂监督员和镇专班可以查看审核队列", "Only supervisors and town admins can see the review queue"},
	{"plan.reject_comment", "退回时请写明需要修改的内容", "Please say what needs changing when sending it back"},
	{"plan.review_supervisor_only", "只有该企业的驻厂监督员可以审核方案", "Only the enterprise's supervisor can review the plan"},
	{"plan.reopen_supervisor_only", "只有该企业的驻厂监督员可以确认复工", "Only the enterprise's supervisor can confirm the reopening"},
	{"plan.reopen_needs_approval", "企业当前状态为“{status}”,复工方案获批后才能确认复工", "The enterprise is \"{status}\"; reopening can be confirmed only after the plan is approved"},
	{"plan.reopen_reason", "{breaches}。请填写理由", "{breaches}. Please give a reason"},
	{"plan.reopen_before_first_batch", "确认复工日期早于首批返岗日期 {date}", "The reopening date is before the first batch's date {date}"},
	{"plan.reopen_more_on_duty", "在岗 {on_duty} 人,多于方案截至 {date} 计划返岗的 {planned} 人", "{on_duty} people on duty, more than the {planned} the plan has back by {date}"},
	{"plan.reopened_on_required", "请填写实际复工日期", "Please enter the actual reopening date"},
	{"plan.reopened_on_future", "实际复工日期不能晚于今天({today})", "The actual reopening date cannot be after today ({today})"},
	{"plan.reopened_on_before_approval", "实际复工日期不能早于方案批准日期({day})", "The actual reopening date cannot be before the plan's approval date ({day})"},
	{"plan.enterprise_only", "复工方案由企业填写", "The reopening plan is filled in by the enterprise"},
	{"plan.state_conflict", "方案当前状态为“{status}”,不能{verb}", "The plan is \"{status}\"; it cannot be {verb}"},
	{"plan.copy_latest_only", "只能复制最新的第 {version} 版方案", "Only the latest plan, version {version}, can be copied"},
	{"plan.unknown_status", "未知的方案状态 {status}", "Unknown plan status {status}"},
	// Reports.
	{"report.town_only", "只有镇专班可以导出报表", "Only the town team can export reports"},
	{"report.daily_town_only", "只有镇专班可以导出日报", "Only the town team can export the daily report"},
	{"report.start_required", "请选择开始日期", "Please choose a start date"},
	{"report.end_required", "请选择结束日期", "Please choose an end date"},
	{"report.max_days", "一次最多导出 3660 天", "At most 3660 days per export"},
	// Shifts (stagger).
	{"shift.maintainers", "班组由企业或其驻厂监督员维护", "Shifts are kept by the enterprise or its supervisor"},
	{"shift.name_taken", "本企业已有班组“{name}”", "This enterprise already has a shift \"{name}\""},
	{"shift.time_format", "时间应写成 08:00 这样的 24 小时制", "Times must be 24-hour, like 08:00"},
	{"shift.work_times_pair", "请同时填写上班和下班时间", "Please enter both the start and end of work"},
	{"shift.meal_times_pair", "请同时填写就餐开始和结束时间", "Please enter both the start and end of the meal"},
	{"shift.meal_end_after_start", "就餐结束时间应晚于开始时间", "The meal must end after it starts"},
	{"shift.capacity", "班组容量应在 1 到 {max} 人之间", "Shift capacity must be between 1 and {max} people"},
	// Townships.
	{"township.platform_only_create", "只有平台管理员可以开通乡镇", "Only the platform admin can open a township"},
	{"township.code_taken", "该区划代码的乡镇已开通", "A township with this region code is already open"},
	{"township.platform_only_list", "只有平台管理员可以查看乡镇列表", "Only the platform admin can see the township list"},
	{"township.zone_in_use", "要删除的责任区下还有企业,请先调整这些企业的责任区", "The zone to delete still has enterprises; move them to another zone first"},
	{"township.settings_forbidden", "无权查看乡镇设置", "You may not see the township's settings"},
	{"township.code_format", "区划代码应为 6、9 或 12 位数字", "The region code must have 6, 9 or 12 digits"},
	{"township.population", "人口数应在 0 到 10,000,000 之间", "Population must be between 0 and 10,000,000"},
	{"township.timezone", "时区无效,例如 Asia/Shanghai", "Invalid time zone; e.g. Asia/Shanghai"},
	{"township.fever_threshold", "发热标准应在 37.0 到 38.5 °C 之间", "The fever threshold must be between 37.0 and 38.5 °C"},
	{"township.isolation_days", "隔离天数应在 1 到 28 天之间", "Isolation days must be between 1 and 28"},
	{"township.cutoff_am_format", "时间格式应为 HH:MM,例如 10:00", "Time must be HH:MM, e.g. 10:00"},
	{"township.cutoff_pm_format", "时间格式应为 HH:MM,例如 16:00", "Time must be HH:MM, e.g. 16:00"},
	{"township.cutoff_order", "下午截止时间应晚于上午截止时间", "The afternoon cutoff must be after the morning one"},
	{"township.retention_days", "个人信息保留天数应在 30 到 3650 天之间", "Personal data retention must be between 30 and 3650 days"},
	{"township.spot_check_percent", "每日抽查比例应在 1% 到 100% 之间", "The daily spot-check share must be between 1% and 100%"},
	{"township.remind_minutes", "截止前提醒应在 0 到 180 分钟之间（0 为不提醒）", "The reminder must be 0 to 180 minutes before the cutoff (0 for none)"},
	{"township.summary_at_format", "时间格式应为 HH:MM,例如 08:30；留空为不发早报", "Time must be HH:MM, e.g. 08:30; leave empty for no morning summary"},
	{"township.isolation_levels", "隔离风险等级应为 high、medium、low 中的不重复值", "Isolation risk levels must be distinct values of high, medium, low"},
	{"township.unknown_pass_rule", "未知的复工码条件 {rule}", "Unknown pass rule {rule}"},
	{"township.pass_color", "颜色应为 green、yellow 或 red", "The colour must be green, yellow or red"},
	{"township.region_code_format", "地区代码应为 6 位行政区划代码", "The region code must be a 6-digit administrative code"},
	{"township.no_such_region", "没有代码为 {code} 的地区,请核对(可在职工登记的来源地中搜索代码)", "No region has code {code}; please check it (search codes in the worker form's place of origin)"},
	{"township.region_repeated", "地区 {code} 重复", "Region {code} is listed twice"},
	{"township.risk_level", "风险等级应为 high、medium 或 low", "The risk level must be high, medium or low"},
	{"township.max_key_areas", "重点地区最多 500 个", "At most 500 key areas"},
	{"township.zone_repeated", "责任区 {zone} 重复", "Zone {zone} is listed twice"},
	{"township.max_zones", "责任区最多 100 个", "At most 100 zones"},
	{"township.regions_forbidden", "无权查询行政区划", "You may not look up regions"},
	// Users.
	{"user.reason_required", "平台管理员创建镇管理员账号或重置其密码须说明理由(如:原管理员调离,经镇政府书面申请),理由将通知该镇的镇管理员", "The platform admin must give a reason to create a town admin or reset their password (e.g. the previous admin moved, on the township's written request); the township's admins are told the reason"},
	{"user.reason_too_long", "理由太长(最多 {max} 个字)", "The reason is too long (at most {max} characters)"},
	{"user.create_town_admin_only", "只有镇专班管理员可以创建账号", "Only town admins can create accounts"},
	{"user.platform_creates_town_admins", "平台管理员只能创建镇管理员账号(town_admin)", "The platform admin can only create town admin accounts (town_admin)"},
	{"user.hr_creates_gates", "企业人事只能创建门岗账号(gate)", "Enterprise HR can only create gate accounts (gate)"},
	{"user.role", "角色应为 town_admin、supervisor、enterprise_hr、gate 或 viewer", "The role must be town_admin, supervisor, enterprise_hr, gate or viewer"},
	{"user.township_required", "请选择乡镇", "Please choose a township"},
	{"user.township_not_found", "所选乡镇不存在", "The chosen township does not exist"},
	{"user.username_taken", "用户名 {username} 已被使用", "The username {username} is taken"},
	{"user.enterprise_required", "{role}账号必须选择所属企业", "{role} accounts must have an enterprise"},
	{"user.enterprise_not_found", "所选企业不存在", "The chosen enterprise does not exist"},
	{"user.view_forbidden", "无权查看账号", "You may not see this account"},
	{"user.platform_sees_town_admins", "平台管理员只能查看镇管理员账号", "The platform admin can only see town admin accounts"},
	{"user.list_forbidden", "无权查看账号列表", "You may not see the account list"},
	{"user.disable_self", "不能停用自己的账号", "You cannot disable your own account"},
	{"user.change_own_enterprise", "不能修改自己所属的企业", "You cannot change your own enterprise"},
	{"user.gate_own_enterprise", "门岗账号只能属于本企业", "Gate accounts can only belong to your enterprise"},
	{"user.change_own_role", "不能修改自己的角色", "You cannot change your own role"},
	{"user.role_fixed", "账号的角色不能修改,请停用此账号并新建一个", "An account's role cannot change; disable it and create a new one"},
	{"user.township_fixed", "账号不能转到其他乡镇", "An account cannot move to another township"},
	{"user.password_too_many_failures", "当前密码错误次数过多,请一分钟后再试", "Too many wrong current passwords, please try again in a minute"},
	{"user.current_password_required", "修改自己的密码须先输入当前密码", "Enter your current password to change it"},
	{"user.current_password_wrong", "当前密码不正确", "The current password is wrong"},
	{"user.username_format", "用户名应为 3–32 位小写字母、数字、点、横线或下划线,以字母或数字开头", "The username must be 3–32 lower-case letters, digits, dots, dashes or underscores, starting with a letter or digit"},
	{"user.role_invalid", "角色无效", "Invalid role"},
	{"user.unknown_role", "未知角色", "Unknown role"},
	{"user.password_short", "密码至少 8 位", "The password must have at least 8 characters"},
	{"user.password_long", "密码最多 72 个字节", "The password can have at most 72 bytes"},
	// Text fields.
	{"text.required", "请填写{label}", "Please enter the {label}"},
	{"text.too_short", "{label}太短", "The {label} is too short"},
	{"text.too_long", "{label}太长(最多 {max} 个字)", "The {label} is too long (at most {max} characters)"},
	{"text.mobile_required", "请填写手机号", "Please enter a mobile number"},
	// Workers.
	{"worker.no_such_batch", "本企业没有这个返岗批次", "This enterprise has no such return batch"},
	{"worker.no_such_shift", "本企业没有这个班组", "This enterprise has no such shift"},
	{"worker.not_on_roster", "有 {count} 名职工不在本企业花名册中,请刷新后重新选择", "{count} workers are not on this enterprise's roster; please refresh and choose again"},
	{"worker.max_assign", "一次最多分配 {max} 人", "At most {max} people at a time"},
	{"worker.bad_id", "职工编号无效", "Invalid worker ID"},
	{"worker.batch_or_shift", "请选择返岗批次或班组", "Please choose a return batch or a shift"},
	{"worker.already_on_roster", "此人已在本企业花名册中", "This person is already on the enterprise's roster"},
	{"worker.full_id_hr_only", "只有本企业人事可以查看完整身份证号", "Only the enterprise's HR can see the full ID number"},
	{"worker.isolation_until_isolating_only", "只有隔离观察中的职工可以调整隔离截止日期", "Only workers in isolation can have their isolation end changed"},
	{"worker.isolation_until_future", "隔离截止日期应晚于今天", "The isolation end must be after today"},
	{"worker.arrived_required", "请先填写返岗日期", "Please enter the return date first"},
	{"worker.isolating_until", "隔离期至 {until},期满后才能安排到岗", "In isolation until {until}; on duty only after that"},
	{"worker.isolation_until_required", "安排隔离时请填写晚于今天的隔离截止日期", "Please enter an isolation end after today when isolating"},
	{"worker.no_back_to_expected", "已返岗的职工不能改回待返岗;如未返回请清空返岗日期", "A worker who is back cannot go back to expected; if not back, clear the return date"},
	{"worker.unknown_status", "未知的状态", "Unknown status"},
	{"worker.status", "状态应为 expected、isolating、on_duty、left 或 in_hospital", "Status must be expected, isolating, on_duty, left or in_hospital"},
	{"worker.unknown_worker_status", "未知的职工状态", "Unknown worker status"},
	// Live stream.
	{"stream.too_many_per_account", "此账号打开的监测大屏过多,请关闭其他窗口后再试", "This account has too many dashboards open; close other windows and try again"},
	{"stream.full", "实时推送连接已满,请稍后再试", "Live updates are full, please try again later"},
	{"stream.off", "实时推送未启用", "Live updates are not enabled"},
}

// terms are the words the domain puts into messages as parameters (a record's kind for
// NotFound, a status's label, a plan field's label), in English. A value not listed here is
// shown as it is, or, when it is itself a catalogued message, as that message in English.
var terms = map[string]string{
	// Records (NotFound and the api's records).
	"企业": "enterprise", "职工": "worker", "乡镇": "township", "账号": "account", "预警": "alert",
	"打卡记录": "check-in", "复工方案": "reopening plan", "通知": "notice", "班组": "shift",
	"消息": "message", "群机器人": "group robot",
	// Statuses.
	"未申请": "not applied", "已申请": "applied", "已批准": "approved", "已复工": "reopened", "已停工": "suspended",
	"草稿": "draft", "待审核": "awaiting review", "已退回": "sent back",
	"待返岗": "expected", "隔离观察": "in isolation", "在岗": "on duty", "已离职": "left", "住院治疗": "in hospital",
	"高风险": "high risk", "中风险": "medium risk", "低风险": "low risk",
	// Roles.
	"平台管理员": "platform admin", "镇专班管理员": "town admin", "驻厂监督员": "supervisor",
	"企业人事": "enterprise HR", "返岗职工": "returning worker", "门岗": "gate", "大屏": "wall",
	// What a plan can not be, in a state conflict.
	"修改": "edited", "提交": "submitted", "批准": "approved", "退回": "sent back",
	// Plan fields and supplies.
	"防控负责人": "prevention lead", "隔离观察室": "isolation room", "食堂安排": "canteen arrangements",
	"宿舍安排": "dormitory arrangements", "消毒安排": "disinfection arrangements", "应急预案": "emergency plan",
	"口罩": "masks", "消毒液": "disinfectant", "手套": "gloves",
	// Labels of the text fields checkText checks (请填写{label}, {label}太长).
	"乡镇名称": "township name", "交通方式": "means of travel", "企业名称": "enterprise name",
	"停工整顿原因": "reason for the suspension", "发热处置提示": "fever advice", "地址": "address",
	"处理说明": "handling note", "备注": "note", "姓名": "name", "审核意见": "review comment",
	"提前复工理由": "reason for the early reopening", "撤销理由": "reason for revoking", "更正原因": "reason for the correction",
	"检查发现": "findings", "班组名称": "shift name", "症状说明": "symptom description", "联系人": "contact",
	"行业": "industry", "责任区名称": "zone name", "车间": "workshop", "部门": "department", "隔离地点": "isolation place",
	"名称": "name",
	// Why a PIN is easy to guess.
	"出生日期": "birth date", "常用密码": "a common choice", "手机号后六位": "last six digits of the phone",
	"身份证号后六位": "last six digits of the ID number", "连续的数字": "digits in a run", "重复的数字": "repeated digits",
	// JSON types (a wrong type in a body).
	"整数": "an integer", "数字": "a number", "文本": "text", "数组": "an array", "对象": "an object",
	"true 或 false": "true or false",
}

// entry is a catalog message made ready to match: exact text, or a pattern.
type entry struct {
	message
	re    *regexp.Regexp // nil for an exact message
	names []string       // the parameters, in the order re captures them
	lower bool           // a text put in starts in lower case: labels_en.go's, in mid-sentence
}

var placeholder = regexp.MustCompile(`\{[a-zA-Z0-9_]*\}`)

// exact and patterns hold the catalog ready to match; patterns are tried longest literal text
// first, so that 所选企业不存在 is matched as itself before {what}不存在 takes it.
var exact, patterns = compileCatalog(catalog, "([^。]+?)") // a value is never a sentence's end: 。 stays literal text

// wrappers are the patterns tried before all others: each puts a few words before a whole
// message of its own (第 3 行 + a warning), which a longer pattern would otherwise match with
// the wrapper's words taken into one of its values (a name of 第 3 行 张三).
var wrappers = map[string]bool{"placement.isolation_row": true}

// compileCatalog readies msgs to match, a parameter's value matched by value (a group).
func compileCatalog(msgs []message, value string) (map[string]*entry, []*entry) {
	ex := map[string]*entry{}
	var pats []*entry
	for _, m := range msgs {
		e := &entry{message: m}
		locs := placeholder.FindAllStringIndex(m.zh, -1)
		if len(locs) == 0 {
			ex[m.zh] = e
			continue
		}
		var re strings.Builder
		re.WriteString("^")
		last := 0
		for _, l := range locs {
			re.WriteString(regexp.QuoteMeta(m.zh[last:l[0]]))
			re.WriteString(value)
			e.names = append(e.names, m.zh[l[0]+1:l[1]-1])
			last = l[1]
		}
		re.WriteString(regexp.QuoteMeta(m.zh[last:]) + "$")
		e.re = regexp.MustCompile(re.String())
		pats = append(pats, e)
	}
	literal := func(e *entry) int {
		if wrappers[e.code] {
			return 1 << 20
		}
		return utf8.RuneCountInString(placeholder.ReplaceAllString(e.zh, ""))
	}
	slices.SortStableFunc(pats, func(a, b *entry) int { return literal(b) - literal(a) })
	return ex, pats
}

// lookup finds the catalog entry of a message as the domain wrote it, and the values of its
// parameters; nil when the catalog has none.
func lookup(zh string) (*entry, map[string]string) { return lookupIn(exact, patterns, zh) }

// lookupIn is lookup in one compiled catalog: this file's messages or labels_en.go's texts.
func lookupIn(exact map[string]*entry, patterns []*entry, zh string) (*entry, map[string]string) {
	if e, ok := exact[zh]; ok {
		return e, map[string]string{}
	}
	for _, e := range patterns {
		if m := e.re.FindStringSubmatch(zh); m != nil {
			params := make(map[string]string, len(e.names))
			for i, name := range e.names {
				params[name] = m[i+1]
			}
			return e, params
		}
	}
	return nil, nil
}

// english writes the entry's English with its parameters filled in, each translated when it
// is a known word or message, and starts it with a capital.
func (e *entry) english(params map[string]string) string {
	s := placeholder.ReplaceAllStringFunc(e.en, func(p string) string {
		v := params[p[1:len(p)-1]]
		en := translate(v)
		if e.lower && en != v {
			r, n := utf8.DecodeRuneInString(en)
			en = string(unicode.ToLower(r)) + en[n:]
		}
		return en
	})
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// translate gives a parameter's value in English when it is a term, a catalogued message or a
// catalogued text of the server's (labels_en.go), or a list of them joined with ; or 、, and as
// it is otherwise.
func translate(v string) string {
	if t, ok := terms[v]; ok {
		return t
	}
	if e, ok := labelExact[v]; ok { // before the messages' patterns: 用户名不存在 is not {what}不存在
		return e.english(nil)
	}
	if e, params := lookup(v); e != nil {
		return e.english(params)
	}
	if list, ok := englishList(v); ok { // before the patterns, whose values would take a whole list
		return list
	}
	if e, params := lookupIn(labelExact, labelPatterns, v); e != nil {
		return e.english(params)
	}
	// A list with ; is one when a part is a known text: a reason typed with ; stays as typed.
	if parts := strings.Split(v, ";"); len(parts) > 1 {
		known := false
		for i, p := range parts {
			parts[i] = translate(p)
			known = known || parts[i] != p
		}
		if known {
			return strings.Join(parts, "; ")
		}
	}
	return v
}

// englishList is a list written with 、 (干咳、乏力) in English, its items in lower case for
// the middle of a sentence; ok only when each item is a known text: a name may hold 、.
func englishList(v string) (string, bool) {
	parts := strings.Split(v, "、")
	if len(parts) < 2 {
		return "", false
	}
	for i, p := range parts {
		if parts[i] = translate(p); parts[i] == p {
			return "", false
		}
		r, n := utf8.DecodeRuneInString(parts[i])
		parts[i] = string(unicode.ToLower(r)) + parts[i][n:]
	}
	return strings.Join(parts, ", "), true
}

// languages are the languages the server speaks, the first the default.
var languages = language.NewMatcher([]language.Tag{language.SimplifiedChinese, language.English})

// prefersEnglish reports whether the request's Accept-Language, weighed by its q-values, wants
// English over Chinese; a missing or unreadable header, or one naming neither, gets Chinese.
func prefersEnglish(r *http.Request) bool {
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return false
	}
	_, i, conf := languages.Match(tags...)
	return i == 1 && conf != language.No
}

// localize gives every message of an error body its code and parameters, and in English when
// the request prefers it. A message the catalog lacks keeps its text with code "".
func localize(r *http.Request, b errorBody) errorBody {
	english := prefersEnglish(r)
	b.Error.MessageCode, b.Error.Params, b.Error.Message = localized(b.Error.Message, english)
	fields := make([]fieldError, len(b.Error.Fields))
	for i, f := range b.Error.Fields {
		f.MessageCode, f.Params, f.Message = localized(f.Message, english)
		fields[i] = f
	}
	if b.Error.Fields != nil {
		b.Error.Fields = fields
	}
	return b
}

// localized gives a message's code, its parameters and its text, in English when english. The
// English parameters are the ones the English text holds, so that a client rendering its own
// text from code and params says the same: the server's words (a record, a status, a role, a
// field's label, a nested message) in English, what a user wrote (a name, a reason, a cell of
// a sheet) as written, since the catalog knows only the server's words.
func localized(zh string, english bool) (code string, params map[string]string, text string) {
	e, params := lookup(zh)
	if e == nil {
		return "", map[string]string{}, zh
	}
	if english {
		return e.code, englishParams(params), e.english(params)
	}
	return e.code, params, zh
}

// englishParams is params with each value as english puts it into the English text.
func englishParams(params map[string]string) map[string]string {
	out := make(map[string]string, len(params))
	for k, v := range params {
		out[k] = translate(v)
	}
	return out
}
