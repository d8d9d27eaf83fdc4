//! The Windows exe's resources: the icon Explorer and the taskbar show, the version information
//! of its Properties dialog, and a manifest. Compiled with MinGW's windres when the target is
//! Windows (the build script runs on the host, so the target is read from Cargo's variables);
//! nothing is done for other targets. Cross-compiling from Linux, winresource runs the
//! target's `x86_64-w64-mingw32-windres` (the `WINDRES` variable names another); the versions
//! (FileVersion, ProductVersion and the numeric ones) come from `CARGO_PKG_VERSION`.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=assets/icon.ico");
    println!("cargo:rerun-if-env-changed=WINDRES");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    let mut resource = winresource::WindowsResource::new();
    resource
        .set_icon("assets/icon.ico")
        // Windows names the program by its FileDescription (Task Manager, "Open with").
        .set("FileDescription", "Socket Tester")
        .set("ProductName", "Socket Tester")
        .set("OriginalFilename", "socket-tester.exe")
        .set("InternalName", "socket-tester")
        .set("CompanyName", "socket-tester developers")
        .set(
            "LegalCopyright",
            "socket-tester developers, MIT OR Apache-2.0",
        )
        .set("Comments", env!("CARGO_PKG_DESCRIPTION"))
        .set_manifest(MANIFEST);
    if let Err(error) = resource.compile() {
        // Without MinGW's windres the exe cannot carry its icon: say how to get it.
        panic!(
            "compiling the Windows resources failed ({error}); install MinGW \
             (apt-get install gcc-mingw-w64-x86-64), whose windres compiles them"
        );
    }
}

/// Common Controls 6 (the file and message dialogs look as Windows' own do), the window's own
/// scaling on every monitor (sharp text on HiDPI screens; winit scales by each monitor's DPI),
/// and UTF-8 as the process's ANSI code page (paths and arguments with Chinese in them reach
/// C libraries intact whatever the system's locale).
const MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<assembly xmlns="urn:schemas-microsoft-com:asm.v1" manifestVersion="1.0">
  <assemblyIdentity type="win32" name="socket-tester" version="1.0.0.0"/>
  <dependency>
    <dependentAssembly>
      <assemblyIdentity type="win32" name="Microsoft.Windows.Common-Controls" version="6.0.0.0"
        processorArchitecture="*" publicKeyToken="6595b64144ccf1df" language="*"/>
    </dependentAssembly>
  </dependency>
  <application xmlns="urn:schemas-microsoft-com:asm.v3">
    <windowsSettings>
      <dpiAware xmlns="http://schemas.microsoft.com/SMI/2005/WindowsSettings">true/pm</dpiAware>
      <dpiAwareness xmlns="http://schemas.microsoft.com/SMI/2016/WindowsSettings">PerMonitorV2</dpiAwareness>
      <activeCodePage xmlns="http://schemas.microsoft.com/SMI/2019/WindowsSettings">UTF-8</activeCodePage>
    </windowsSettings>
  </application>
  <compatibility xmlns="urn:schemas-microsoft-com:compatibility.v1">
    <application>
      <supportedOS Id="{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a}"/>
    </application>
  </compatibility>
</assembly>
"#;
