#pragma once
/// Message content for DATA (RFC 5321 §4.5.2): every line end becomes CRLF (bare LF and lone CR
/// included, so no "bare LF" smuggling leaves this tool by accident), a line starting with '.'
/// gets another '.', the content ends in CRLF, and ".\r\n" terminates it.

#include "maildiag/smtp/command.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace maildiag::smtp {

struct EncodedMessage {
  std::string wire;                 ///< the bytes after 354, including the final ".\r\n"
  std::size_t lines = 0;            ///< content lines
  std::size_t bytes = 0;            ///< content bytes on the wire (without the terminator)
  std::size_t stuffed = 0;          ///< lines that got an extra '.'
  std::size_t fixed_line_ends = 0;  ///< bare LF or lone CR turned into CRLF
  bool eight_bit = false;           ///< any byte >= 0x80 (needs 8BITMIME to be strictly correct)
};

EncodedMessage encode_message(std::string_view content);
/// The engine command for the content: display "<message: N lines, M bytes>".
Command message(std::string_view content);

}  // namespace maildiag::smtp
