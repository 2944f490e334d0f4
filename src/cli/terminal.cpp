#include "cli/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <iostream>

namespace pgconn::cli {

TerminalSize terminal_size(int fd) {
  TerminalSize size;
  winsize ws{};
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
    size.columns = ws.ws_col;
    size.rows = ws.ws_row;
  }
  return size;
}

RawInput::RawInput(int fd) : fd_(fd) {
  if (!isatty(fd_) || tcgetattr(fd_, &saved_) != 0) return;
  termios raw = saved_;
  // Output processing stays on, so "\n" still returns the carriage.
  raw.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO | ISIG));
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  active_ = tcsetattr(fd_, TCSAFLUSH, &raw) == 0;
}

RawInput::~RawInput() {
  if (active_) tcsetattr(fd_, TCSAFLUSH, &saved_);
}

AlternateScreen::AlternateScreen(bool enable) : enabled_(enable) {
  if (enabled_) std::cout << "\x1b[?1049h\x1b[?25l" << std::flush;
}

AlternateScreen::~AlternateScreen() {
  if (enabled_) std::cout << "\x1b[?25h\x1b[?1049l" << std::flush;
}

}  // namespace pgconn::cli
