# Strict warnings for every maildiag target; -Werror in the test build.
function(maildiag_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
    -Wimplicit-fallthrough)
  if(MAILDIAG_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
    # GCC 12's -Wmaybe-uninitialized reports false positives inside libstdc++ (std::regex's
    # std::function, std::optional) at -O2 and under the sanitizers: kept as a warning, never fatal.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${target} PRIVATE -Wno-error=maybe-uninitialized)
    endif()
  endif()
  if(MAILDIAG_SANITIZE)
    target_compile_options(${target} PUBLIC -fsanitize=address,undefined -fno-omit-frame-pointer
                           -fno-sanitize-recover=all)
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  endif()
endfunction()
