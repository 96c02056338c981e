from aiprod.cli import main

main()
