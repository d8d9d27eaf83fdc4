//! Simplified Chinese for TLS: the texts of the window, and why a handshake failed.

use crate::error::TlsProblem;

/// Why a handshake failed, with what to do, in Chinese.
pub fn problem(problem: &TlsProblem) -> String {
    use TlsProblem::*;
    match problem {
        Expired { name } => format!("{name} 的证书已过期"),
        NotValidYet { name } => format!("{name} 的证书尚未生效（请检查两台机器的时钟）"),
        WrongName { name } => format!("证书对 {name} 无效（请设置证书所签发的 TLS 名称）"),
        UnknownIssuer { name } => format!(
            "{name} 的证书不是由受信任的机构签发的（自签名设备需要勾选“接受任何证书”或提供其 CA 文件）"
        ),
        CaUsedAsEndEntity { name } => format!(
            "{name} 的证书是 CA 证书却被当作服务器证书使用（`openssl req -x509` 默认如此）：\
             请勾选“接受任何证书”（--tls-insecure），或用 CA:FALSE 重新生成服务器证书"
        ),
        Revoked { name } => format!("{name} 的证书已被吊销"),
        BadSignature { name } => format!("{name} 的证书签名校验失败"),
        NotForServers { name } => format!("{name} 的证书不是用于 TLS 服务器的"),
        BadCertificate { name, detail } => format!("{name} 的证书无法使用：{detail}"),
        NotTls => "对端不使用 TLS".to_string(),
        ClosedDuringHandshake => "对端在 TLS 握手期间关闭了连接".to_string(),
        Refused { alert } => format!("对端拒绝了握手（{alert}）"),
        NothingInCommon { detail } => {
            format!("对端与本端没有共同的 TLS 版本或加密套件（{detail}）")
        }
        NoCertificate => "对端没有发送证书".to_string(),
        NoClientCertificate => {
            "客户端没有发送证书，而本服务器要求每个客户端出示由其客户端 CA 文件中的 CA 签发的证书"
                .to_string()
        }
        ClientNotTrusted => "客户端的证书不是由本服务器客户端 CA 文件中的 CA 签发的".to_string(),
        CertificateRequired => {
            "服务器要求客户端证书：请提供（--cert 和 --key；窗口中的“客户端证书”和“私钥文件”）"
                .to_string()
        }
        OurCertificateRefused { alert } => format!(
            "服务器不接受本客户端的证书（{alert}）：它是否由服务器信任的 CA 签发，且仍在有效期内？"
        ),
        TimedOut { secs } => {
            format!("TLS 握手在 {secs} 秒后超时：对端接受了连接却没有应答（它是 TLS 服务器吗？）")
        }
        Other(words) => words.clone(),
    }
}

pub const TEXTS: &[(&str, &str)] = &[
    ("TLS", "TLS"),
    ("Accept any certificate", "接受任何证书"),
    (
        "Speak TLS with each client, presenting the certificate set in the tool panel",
        "与每个客户端使用 TLS，出示工具面板中设置的证书",
    ),
    (
        "Speak TLS: the server's certificate is checked against the system's roots or a CA file (tool panel)",
        "使用 TLS：用系统根证书或 CA 文件（工具面板）检查服务器证书",
    ),
    (
        "For devices with self-signed certificates: the certificate is not checked, so whoever sits between could read and change the traffic",
        "用于自签名证书的设备：不检查证书，中间人可以读取和篡改通信",
    ),
    ("TLS name (SNI)", "TLS 名称（SNI）"),
    (
        "The name asked for and checked in the certificate; empty: the host",
        "请求并在证书中核对的名称；留空则用主机名",
    ),
    ("CA file", "CA 文件"),
    (
        "PEM certificates to trust instead of the system's; empty: the system's roots",
        "代替系统根证书信任的 PEM 证书；留空则用系统根证书",
    ),
    (
        "TLS established: {version}, {suite}",
        "TLS 已建立：{version}，{suite}",
    ),
    (
        "peer certificate: {subject}, issued by {issuer}, expires {expires}",
        "对端证书：{subject}，签发者 {issuer}，到期 {expires}",
    ),
    ("certificate SHA-256: {sha256}", "证书 SHA-256：{sha256}"),
    ("Certificate file", "证书文件"),
    (
        "The certificate (chain) to present, PEM",
        "要出示的证书（链），PEM 格式",
    ),
    ("Key file", "私钥文件"),
    ("The certificate's private key, PEM", "证书的私钥，PEM 格式"),
    ("Generate a self-signed certificate", "生成自签名证书"),
    (
        "For localhost and the address listened on; kept with the settings. Clients must accept it as self-signed",
        "用于 localhost 和监听的地址；随设置保存。客户端须按自签名证书接受它",
    ),
    ("using the generated certificate", "正在使用生成的证书"),
    ("Client CA file", "客户端 CA 文件"),
    (
        "Ask each client for a certificate signed by a CA in this PEM file, and refuse clients without one (mutual TLS); empty: ask for none",
        "要求每个客户端出示由此 PEM 文件中的 CA 签发的证书，拒绝没有证书的客户端（双向 TLS）；留空则不要求",
    ),
    ("Client certificate", "客户端证书"),
    (
        "Presented when the server asks for one (mutual TLS), PEM; empty: none",
        "服务器要求时出示（双向 TLS），PEM 格式；留空则不出示",
    ),
];
