from thesis.cli import main

main()
