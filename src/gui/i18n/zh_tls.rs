//! Simplified Chinese for TLS.

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
];
