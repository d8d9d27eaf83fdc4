//! What the page's views ask of it. A view draws from the page's accessors, edits only the
//! fields the user types into, and returns these; the page applies them after drawing, so no
//! view changes the page's state or reaches its session.

use super::*;

/// One thing the user asked for in a frame.
#[derive(Debug, Clone, PartialEq)]
pub enum PageAction {
    /// Connect, Listen or Open; or Disconnect, Stop or Close.
    Toggle,
    Send,
    /// The message box changed: hex is checked as it is typed, old errors go.
    MessageEdited,
    ToggleRepeat,
    /// Text or Hex for the message box; the typed message is converted.
    SetInputMode(InputMode),
    SetEncoding(TextEncoding),
    /// On a WebSocket connection: the frame each message goes out in, from now on.
    SetDataFrames(DataFrames),
    SendPreset(usize),
    EditPreset(usize),
    /// Moves a preset one place towards the start (`true`) or the end.
    MovePreset(usize, bool),
    DeletePreset(usize),
    SavePreset,
    Recall(usize),
    AddRule,
    /// Switches rule N on or off (a rule that cannot answer stays off).
    SwitchRule(usize, bool),
    DeleteRule(usize),
    JoinGroup,
    LeaveGroup(IpAddr),
    SelectClient(Option<ClientId>),
    OnlySelectedClient(bool),
    DisconnectClient(ClientId),
    /// Closes a connection with RST (the client's, or one of the server's).
    ResetConnection(ClientId),
    /// Opens the system's file dialog for a path field (the window's; none without it).
    #[cfg(feature = "gui")]
    ChoosePath(PathField),
    SendFile,
    /// A file dropped on the window: sent at once.
    SendDroppedFile(PathBuf),
    ToggleCapture,
    ExportLog,
    ToggleRecording,
    SavePcap,
    SaveRecording,
    ToggleReplay,
    ClearLog,
    SetRowLimit(usize),
    TogglePause,
    ResetTotals,
    ToggleFind,
    /// The find text changed: the next Next starts from the top.
    FindEdited,
    FindNext(bool),
    CloseFind,
    /// Opens the detail pane on a row (by number), or closes it.
    SelectRow(Option<u64>),
    /// How the detail pane reads a message.
    SetDissector(Option<Dissector>),
    /// Runs the send sequence, or stops it.
    ToggleSequence,
    AddStep(StepKind),
    RemoveStep(usize),
    MoveStepUp(usize),
    ExportSequence,
    ImportSequence,
    /// TCP server: makes a self-signed certificate for TLS, kept with the settings.
    GenerateCertificate,
}

impl Page {
    /// Applies what a view asked for. `waker` wakes the window when a file dialog answers.
    pub fn perform(&mut self, action: PageAction, waker: &Waker) {
        match action {
            PageAction::Toggle => self.toggle(waker.clone()),
            PageAction::Send => self.send(),
            PageAction::MessageEdited => self.message_edited(),
            PageAction::ToggleRepeat => self.toggle_repeat(),
            PageAction::SetInputMode(mode) => self.set_input_mode(mode),
            PageAction::SetEncoding(encoding) => self.set_encoding(encoding),
            PageAction::SetDataFrames(frames) => self.config.data_frames = frames,
            PageAction::SendPreset(i) => self.send_preset(i),
            PageAction::EditPreset(i) => self.edit_preset(i),
            PageAction::MovePreset(i, up) => self.move_preset(i, up),
            PageAction::DeletePreset(i) => {
                if i < self.config.presets.len() {
                    self.config.presets.remove(i);
                }
            }
            PageAction::SavePreset => self.save_preset(),
            PageAction::Recall(i) => self.recall(i),
            PageAction::AddRule => self.config.rules.push(config::new_rule()),
            PageAction::SwitchRule(i, on) => self.config.switch_rule(i, on),
            PageAction::DeleteRule(i) => {
                if i < self.config.rules.len() {
                    self.config.rules.remove(i);
                }
            }
            PageAction::JoinGroup => self.join_group(),
            PageAction::LeaveGroup(group) => self.leave_group(group),
            PageAction::SelectClient(id) => self.selected_client = id,
            PageAction::OnlySelectedClient(only) => self.only_selected_client = only,
            PageAction::DisconnectClient(id) => self.disconnect_client(id),
            PageAction::ResetConnection(id) => self.reset_connection(id),
            #[cfg(feature = "gui")]
            PageAction::ChoosePath(field) => {
                let waker = waker.clone();
                self.choose_path(field, move || waker());
            }
            PageAction::SendFile => self.send_file(),
            PageAction::SendDroppedFile(path) => {
                self.config.file_path = path.display().to_string();
                self.send_file();
            }
            PageAction::ToggleCapture => self.toggle_capture(),
            PageAction::ExportLog => self.export_log(),
            PageAction::ToggleRecording => self.recording.toggle(self.kind, self.already_open()),
            PageAction::SavePcap => self.recording.save_pcap(&self.config.recording.pcap_path),
            PageAction::SaveRecording => self
                .recording
                .save_recording(&self.config.recording.recording_path),
            PageAction::ToggleReplay => self.toggle_replay(),
            PageAction::ClearLog => {
                self.log.clear();
                self.selected_row = None;
                self.forget_traffic();
            }
            PageAction::SetRowLimit(limit) => {
                self.config.row_limit = limit.max(1);
                self.log.set_limit(self.config.row_limit);
            }
            PageAction::TogglePause => self.toggle_pause(),
            PageAction::ResetTotals => self.reset_totals(),
            PageAction::ToggleFind => self.find_open = !self.find_open,
            PageAction::FindEdited => self.found = None,
            PageAction::FindNext(forward) => self.find_next(forward),
            PageAction::CloseFind => {
                self.find_open = false;
                self.found = None;
            }
            PageAction::SelectRow(row) => self.selected_row = row,
            PageAction::SetDissector(dissector) => self.config.decode_as = dissector,
            PageAction::ToggleSequence => self.toggle_sequence(),
            PageAction::AddStep(kind) => self.add_step(kind),
            PageAction::RemoveStep(i) => self.remove_step(i),
            PageAction::MoveStepUp(i) => self.move_step_up(i),
            PageAction::ExportSequence => self.export_sequence(),
            PageAction::ImportSequence => self.import_sequence(),
            PageAction::GenerateCertificate => self.generate_certificate(),
        }
        // Rules edited in the frame reach the engine before the next message arrives.
        self.sync_session();
    }
}
