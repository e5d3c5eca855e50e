# Two bulk runs with the same options must write identical files, and a
# different seed a different one.
foreach(run a b)
  execute_process(COMMAND ${SYNTH} --quiet -n 20000 --hosts 50 --seed 7 -o ${OUTPUT}-${run}.pcapng
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "underhood-synth failed (${rc})")
  endif()
endforeach()
execute_process(COMMAND ${SYNTH} --quiet -n 20000 --hosts 50 --seed 8 -o ${OUTPUT}-c.pcapng RESULT_VARIABLE rc)
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUTPUT}-a.pcapng ${OUTPUT}-b.pcapng RESULT_VARIABLE same)
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUTPUT}-a.pcapng ${OUTPUT}-c.pcapng RESULT_VARIABLE other)
if(NOT same EQUAL 0)
  message(FATAL_ERROR "two runs with seed 7 differ")
endif()
if(other EQUAL 0)
  message(FATAL_ERROR "seeds 7 and 8 gave the same capture")
endif()
