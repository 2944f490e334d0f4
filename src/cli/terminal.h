// Terminal plumbing for `monitor`: the window size, keys without line
// buffering or echo, and an alternate screen restored on exit. Plain ANSI
// escape sequences, so it works in any xterm-like terminal and in tmux.
#pragma once

#include <termios.h>

namespace pgconn::cli {

struct TerminalSize {
  int columns = 80;
  int rows = 24;
};

// The window size of the terminal on `fd`, or 80x24 when it is not one.
TerminalSize terminal_size(int fd);

// While alive, keys on `fd` arrive one by one, unechoed, and Ctrl-C arrives
// as a byte instead of a signal, so the caller decides how to exit. Restores
// the saved settings when destroyed. Does nothing when `fd` is not a terminal.
class RawInput {
 public:
  explicit RawInput(int fd);
  ~RawInput();
  RawInput(const RawInput&) = delete;
  RawInput& operator=(const RawInput&) = delete;

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

// While alive, stdout shows the alternate screen with the cursor hidden;
// destroying it brings back the operator's screen and scrollback untouched.
class AlternateScreen {
 public:
  explicit AlternateScreen(bool enable);
  ~AlternateScreen();
  AlternateScreen(const AlternateScreen&) = delete;
  AlternateScreen& operator=(const AlternateScreen&) = delete;

 private:
  bool enabled_;
};

}  // namespace pgconn::cli
