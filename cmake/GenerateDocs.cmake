# Runs the built maildiag to write its man page and shell completions (cmake -P script).
# Inputs: MAILDIAG (the binary), OUT (the directory).
foreach(spec "maildiag.1|manpage" "maildiag.bash|completion;bash" "_maildiag|completion;zsh")
  string(REPLACE "|" ";" parts "${spec}")
  list(GET parts 0 file)
  list(SUBLIST parts 1 -1 args)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env NO_COLOR=1 ${MAILDIAG} ${args}
                  OUTPUT_FILE ${OUT}/${file} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "maildiag ${args} failed (${rc})")
  endif()
endforeach()
