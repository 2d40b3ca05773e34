' Written by `skillsync daemon install`; removed by `skillsync daemon uninstall`.
Set shell = CreateObject("WScript.Shell")
shell.Environment("Process")("SKILLSYNC_HOME") = "D:\skills ""shared"""
shell.CurrentDirectory = "C:\Users\Ada"
shell.Run """C:\Program Files\nodejs\node.exe"" ""C:\Users\Ada\AppData\Roaming\npm\node_modules\skillsync\bin\skillsync.js"" ""up"" ""--no-open"" ""--quiet""", 0, False
