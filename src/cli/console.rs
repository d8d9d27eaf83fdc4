//! The console of the Windows exe. The exe is a console program, so cmd.exe and PowerShell
//! wait for it, show what it prints and get its exit code. Started from Explorer (a
//! double-click), Windows makes a console for it alone; the window then lets that console go,
//! so no empty console stays open beside it.
//!
//! Text needs nothing here: everything the command line prints goes through Rust's
//! `stdout()`/`stderr()`, which write to a console with `WriteConsoleW` (UTF-16), so 你好,
//! box-drawing and escapes show whatever the console's code page is; redirected to a file or a
//! pipe the bytes stay UTF-8. `SetConsoleOutputCP(65001)` is therefore not called: it would
//! change the code page of the user's cmd.exe for the programs run after this one too.

/// Whether the console belongs to this process alone (Windows made it for a double-click),
/// from the count of processes attached to it. A console shared with a shell is kept.
pub fn made_for_this_process_alone(processes_attached: u32) -> bool {
    processes_attached == 1
}

/// Hides and detaches a console that was made for this process alone; leaves a shell's
/// console as it is. Called before the window opens.
#[cfg(windows)]
pub fn let_go_of_a_console_made_for_the_window() {
    use windows_sys::Win32::System::Console::{
        FreeConsole, GetConsoleProcessList, GetConsoleWindow,
    };
    use windows_sys::Win32::UI::WindowsAndMessaging::{SW_HIDE, ShowWindow};

    let mut ids = [0u32; 2];
    // SAFETY: the buffer holds `ids.len()` process ids; the count returned may be larger.
    let attached = unsafe { GetConsoleProcessList(ids.as_mut_ptr(), ids.len() as u32) };
    if !made_for_this_process_alone(attached) {
        return;
    }
    // SAFETY: plain calls on this process's own console; a null window is skipped.
    unsafe {
        let console = GetConsoleWindow();
        if !console.is_null() {
            ShowWindow(console, SW_HIDE);
        }
        FreeConsole();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_console_of_our_own_is_let_go() {
        // Explorer: the console was made for the exe, nobody else is on it.
        assert!(made_for_this_process_alone(1));
        // cmd.exe or PowerShell: the shell is on it too, and waits for the window to close.
        assert!(!made_for_this_process_alone(2));
        assert!(!made_for_this_process_alone(3));
        // No console at all (started detached): nothing to let go.
        assert!(!made_for_this_process_alone(0));
    }
}
