//! Simplified Chinese for every error of the library, in the words of its English message.

use super::zh::TEXTS;
use crate::error::{DENIED_LIKELY, Error, FIREWALL_REFUSED, FORBIDDEN_WHY, MAX_UDP_PAYLOAD};

/// A text the engine made (English), translated when the table knows it.
fn known(english: &str) -> String {
    TEXTS
        .iter()
        .find(|(en, _)| *en == english)
        .map_or(english, |(_, zh)| zh)
        .to_string()
}

pub fn error(error: &Error) -> String {
    match error {
        Error::InvalidHexDigit { digit, position } => {
            format!("第 {position} 个位置的十六进制数字“{digit}”无效")
        }
        Error::OddHexDigits { position } => format!("第 {position} 个位置的十六进制数字个数为奇数"),
        Error::InvalidEscape { escape, position } => {
            format!(r"第 {position} 个位置的转义“{escape}”无效（可用 \r \n \t \\ \0 或 \xNN）")
        }
        Error::NotText { encoding, position } => {
            format!("这些字节不是 {encoding} 文本（第 {position} 个字节不符）：保持十六进制")
        }
        Error::Unencodable {
            character,
            encoding,
        } => format!(
            "“{character}”(U+{:04X}) 无法用 {encoding} 编码",
            *character as u32
        ),
        Error::UnknownEncoding(name) => format!("未知编码“{name}”（可选 utf-8 或 gbk）"),
        Error::UnknownChecksum(name) => format!(
            "未知校验“{name}”（可选 none、sum8、xor8、crc16-modbus、crc16-ccitt-false 或 crc32）"
        ),
        Error::InvalidFraming { spec, reason } => format!("分帧规则“{spec}”无效：{reason}"),
        Error::FrameTooLong { len, max } => {
            format!("一帧达到 {len} 字节或更多，超过上限 {max} 字节，已丢弃")
        }
        Error::InvalidRule { rule, reason } => format!("规则 {rule} 无效：{reason}"),
        Error::InvalidAddress { input, reason } => format!("地址“{input}”无效：{reason}"),
        Error::InvalidPort(port) => format!("端口“{port}”无效：请填 0 到 65535 之间的数字"),
        Error::PeerPortZero => "对端端口不能为 0：请填 1 到 65535".to_string(),
        Error::DatagramTooLarge { len } => {
            format!("UDP 负载 {len} 字节，超过上限 {MAX_UDP_PAYLOAD} 字节")
        }
        Error::InvalidInterval => "间隔至少为 1 毫秒".to_string(),
        Error::InvalidNumber(text) => format!("数字“{text}”无效"),
        Error::EmptyMessage => "没有可发送的内容：消息为空".to_string(),
        Error::NoTarget => "没有目标地址：请填写要发送到的主机和端口".to_string(),
        Error::NothingRecorded => {
            "没有录制内容：请先点“录制”，或选择含有消息的录制文件".to_string()
        }
        Error::UnknownVariable(name) => format!(
            "未知变量“{name}”（可用 ${{seq}}、${{client}}、${{time}}、${{random:MIN:MAX}} 或 ${{hex:字节}}）"
        ),
        Error::RandomRange { min, max } => {
            format!("“${{random:{min}:{max}}}”：最小值 {min} 大于最大值 {max}")
        }
        Error::RandomOverHexBytes { min, max } => {
            format!("“${{random:{min}:{max}}}”：十六进制下数字占 4 个字节，最大值最多为 4294967295")
        }
        Error::ClientOutsideStress => {
            "${client} 是压力测试客户端的编号：只在压力测试中有值".to_string()
        }
        Error::StepTooLong { step, ms } => format!(
            "序列不可用：{}为 {ms} 毫秒，超过上限 {} 毫秒（24 小时）",
            if *step == "a wait" {
                "等待"
            } else {
                "等待回复的时限"
            },
            crate::net::MAX_STEP_MS
        ),
        Error::InvalidSetting { name, reason } => format!("{}{}", known(name), known(reason)),
        Error::BadSequence(reason) => format!("序列不可用：{}", known(reason)),
        Error::RelayLoop(target) => format!(
            "连到目标 {target} 的连接又回到了本程序的中继（中继指向自己，或指向一个指回来的中继）：已拒绝（只提示一次）"
        ),
        Error::Tls { peer, reason } => format!("与 {peer} 的 TLS 失败：{reason}"),
        Error::TlsHandshake { peer, problem } => {
            format!("与 {peer} 的 TLS 失败：{}", super::zh_tls::problem(problem))
        }
        Error::WebSocket { peer, problem } => {
            format!(
                "与 {peer} 的 WebSocket：{}",
                super::zh_websocket::problem(problem)
            )
        }
        Error::TlsSettings(reason) => format!("无法设置 TLS：{reason}"),
        Error::RelayToItself(target) => format!("目标 {target} 就是中继监听的地址：它会连到自己"),
        Error::Resolve { host, reason } => format!("无法解析主机“{host}”：{}", known(reason)),
        Error::ConnectionRefused(addr) => format!("{addr} 拒绝了连接"),
        Error::ConnectTimeout { addr, millis } => format!("连接 {addr} 超时（{millis} 毫秒）"),
        Error::AddrInUse(addr) => format!("地址 {addr} 已被占用"),
        Error::AddrNotAvailable(addr) => format!("本机没有地址 {addr}"),
        Error::PermissionDenied(addr) => format!(
            "没有使用 {addr} 的权限（1024 以下的端口需要管理员权限：root 或 CAP_NET_BIND_SERVICE）"
        ),
        Error::Denied {
            action,
            addr,
            message,
            likely,
        } => format!(
            "{}{addr} 不被允许：{}（{}）",
            io_action(action),
            known(message),
            likely_cause(likely)
        ),
        Error::AcceptStalled { local, reason } => format!(
            "在 {local} 上接受连接失败：{}；以渐长的间隔重试，直到恢复（只提示一次）",
            known(reason)
        ),
        Error::ClientsTurnedAway { local, count } => format!(
            "{local} 的队列中有 {count} 个等待的客户端被立即关闭：文件描述符用尽，无法接受它们"
        ),
        Error::Forbidden(addr) => format!("地址 {addr} 被禁止使用：{}", known(FORBIDDEN_WHY)),
        Error::BroadcastNotEnabled(addr) => {
            format!("发送到 {addr} 被拒绝：要发送到广播地址，请打开“广播”")
        }
        Error::Multicast {
            action,
            group,
            reason,
        } => {
            let action = if *action == "joining" {
                "加入"
            } else {
                "退出"
            };
            format!("{action}组播组 {group} 失败：{}", known(reason))
        }
        Error::PortUnreachable(local) => format!(
            "从 {local} 发出的一个数据报遇到了未打开的端口（ICMP 端口不可达）；继续接收（只提示一次）"
        ),
        Error::NoSuchClient(id) => format!("没有 id 为 {id} 的客户端"),
        Error::NotConnected => "未连接".to_string(),
        Error::PeerNotReading { peer, waiting } => format!(
            "{peer} 没有在读取：还有 {} 待发送；这条消息没有发出",
            crate::codec::format_size(*waiting)
        ),
        Error::SessionBusy => "会话仍在转交之前的消息，请稍后再试".to_string(),
        Error::SendTimeout {
            peer,
            millis,
            sent,
            len,
        } => format!(
            "{peer} 在 {millis} 毫秒内没有接收任何数据：发送超时（{len} 字节中已发出 {sent} 字节），连接已关闭"
        ),
        Error::SendFailed {
            peer,
            sent,
            len,
            message,
        } => format!(
            "发送到 {peer} 失败（{len} 字节中已发出 {sent} 字节）：{}",
            known(message)
        ),
        Error::IdleTimeout { peer, millis } => {
            let secs = crate::error::seconds(*millis);
            format!("{peer} 在 {secs} 秒内没有发送任何数据：空闲超时，连接已关闭")
        }
        Error::OverBudget { limit, held } => format!(
            "会话的连接占用的内存超过了 {} 的预算；这个连接占用最多（{}，已随连接丢弃），已被关闭",
            crate::codec::format_size(*limit),
            crate::codec::format_size(*held)
        ),
        Error::UnsentAtFin { peer, unsent } => format!(
            "{peer} 关闭了它的发送端（FIN），还有 {} 待发送给它：连接已关闭，这些数据已丢弃（半关闭可在对方 FIN 后继续发送）",
            crate::codec::format_size(*unsent)
        ),
        Error::File {
            action,
            path,
            message,
        } => format!("{}文件 {path} 失败：{message}", file_action(action)),
        Error::Io {
            action,
            addr,
            message,
        } => format!("{}{addr} 失败：{}", io_action(action), known(message)),
    }
}

fn file_action(action: &str) -> &'static str {
    match action {
        "reading" => "读取",
        "writing" | "writing the capture to" => "写入",
        "creating the capture file" => "创建抓取",
        "saving the log to" => "保存日志到",
        "making the folder of" => "创建文件夹用于",
        _ => "访问",
    }
}

fn io_action(action: &str) -> &'static str {
    match action {
        "sending to" => "发送到 ",
        "reading from" => "读取 ",
        "receiving on" => "在此接收 ",
        "connecting to" => "连接 ",
        "binding" => "绑定 ",
        "listening on" => "监听 ",
        "accepting on" => "接受连接 ",
        "opening a socket for" => "打开套接字 ",
        "setting multicast options on" => "设置组播选项 ",
        "starting a thread for" => "启动线程 ",
        _ => "操作 ",
    }
}

/// What likely refused an operation (`Error::Denied`).
fn likely_cause(likely: &str) -> String {
    match likely {
        DENIED_LIKELY => {
            "可能是防火墙规则（netfilter）或 SELinux、AppArmor 等安全策略禁止了它".into()
        }
        FIREWALL_REFUSED => "防火墙规则（netfilter）拒绝了它".into(),
        other => known(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::winsock_words;

    /// Unit test: Windows' error codes reach these words only on Windows (Wine gives Linux's
    /// errors), so every code with words of ours is fed in directly.
    #[test]
    fn every_winsock_error_in_words_has_chinese() {
        let addr = "127.0.0.1:9".parse().unwrap();
        let mut codes = 0;
        for code in 10_000..12_000 {
            let Some(words) = winsock_words(code) else {
                continue;
            };
            codes += 1;
            assert_ne!(known(words), words, "{code}: {words}");
            let error = Error::from_winsock("receiving on", addr, code);
            let chinese = error.as_ref().map(super::error).unwrap_or_default();
            assert!(
                !chinese.is_empty() && !chinese.contains(words),
                "{code}: {chinese}"
            );
        }
        assert_eq!(
            codes, 9,
            "10013, 10048, 10049, 10051, 10053, 10054, 10060, 10061, 10065"
        );
        let forbidden = error(&Error::Forbidden(addr));
        assert!(
            forbidden.contains("netsh int ipv4 show excludedportrange")
                && !forbidden.contains("1024"),
            "{forbidden}"
        );
    }

    #[test]
    fn refusals_and_a_stalled_accept_have_chinese() {
        let addr: std::net::SocketAddr = "127.0.0.1:9".parse().unwrap();
        for likely in [DENIED_LIKELY, FIREWALL_REFUSED] {
            let denied = error(&Error::Denied {
                action: "sending to",
                addr,
                message: "Operation not permitted".into(),
                likely,
            });
            assert!(
                denied.contains("防火墙") && !denied.contains(likely),
                "{denied}"
            );
        }
        let stalled = error(&Error::AcceptStalled {
            local: addr,
            reason: "Too many open files".into(),
        });
        assert!(stalled.contains("重试"), "{stalled}");
    }
}
