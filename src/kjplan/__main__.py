from kjplan.cli import main

main()
