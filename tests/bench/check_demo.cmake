# Regenerates the demo capture and compares it byte for byte with the bundled one.
execute_process(COMMAND ${SYNTH} --demo --quiet -o ${OUTPUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "underhood-synth --demo failed (${rc})")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUTPUT} ${EXPECTED} RESULT_VARIABLE diff)
if(NOT diff EQUAL 0)
  message(FATAL_ERROR "${OUTPUT} differs from ${EXPECTED}: the generator changed; "
                      "regenerate resources/demo.pcapng with underhood-synth --demo if that was intended")
endif()
